using System.Runtime.InteropServices;
using Feynman.Synthesis;
using Feynman.Tensors;

namespace Feynman.Text.Generation;

/// <summary>
/// Draws class-conditioned text from a <see cref="ByteLanguageModel"/> through its <see cref="CachedDecoder"/>: each sequence
/// starts as <c>[class] [start] prefix</c>, then takes one byte per step (temperature, top-k) until the end token or the
/// length cap. Sequence i draws from its own generator seeded by (seed, i), so a seed gives the same texts every time.
/// </summary>
public sealed class TextSampler
{
    private readonly ByteLanguageModel model;

    public TextSampler(ByteLanguageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        this.model = model;
    }

    public ByteLanguageModel Model => model;

    /// <summary><paramref name="count"/> texts of class <paramref name="label"/> (-1 = unlabelled), all starting with <paramref name="prefix"/>.</summary>
    public IReadOnlyList<string> Sample(int label, int count, SamplingOptions? options = null, int seed = 0, string prefix = "", CancellationToken cancellationToken = default)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), $"count must be >= 0, got {count}.");
        return Sample(Enumerable.Repeat(new SampleRequest(label, prefix), count).ToArray(), options, seed, cancellationToken);
    }

    /// <summary>One text per request, in order; each begins with its request's prefix.</summary>
    public IReadOnlyList<string> Sample(IReadOnlyList<SampleRequest> requests, SamplingOptions? options = null, int seed = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        options ??= new SamplingOptions();
        options.Validate();
        int classes = model.LabelNames.Count;
        int cap = Math.Min(options.MaxLength, model.ContextLength - 1);
        // Prompt tokens of every request: class, start, prefix bytes.
        var prompts = new int[requests.Count][];
        for (int r = 0; r < requests.Count; r++)
        {
            var request = requests[r] ?? throw new ArgumentException($"sample request {r} is null.", nameof(requests));
            var prefix = ByteTokens.Encode(request.Prefix ?? "");
            if (prefix.Length >= cap)
                throw new ArgumentException($"sample request {r}: the prefix is {prefix.Length} bytes, but texts are capped at {cap} bytes (max length {options.MaxLength}, context {model.ContextLength}); shorten the prefix.", nameof(requests));
            var prompt = new int[prefix.Length + 2];
            prompt[0] = ByteTokens.ClassToken(request.Label, classes);
            prompt[1] = ByteTokens.Bos;
            for (int i = 0; i < prefix.Length; i++) prompt[i + 2] = prefix[i];
            prompts[r] = prompt;
        }

        var results = new string[requests.Count];
        if (requests.Count == 0) return results;
        int slots = Math.Min(options.BatchSize, requests.Count);
        int vocabulary = model.VocabularySize;
        var decoder = new CachedDecoder(model, slots);
        var slotRequest = new int[slots];       // which request a slot holds, -1 when free
        var slotPosition = new int[slots];      // position of the token fed next
        var slotTokens = new List<byte>[slots]; // the text so far (prefix included)
        var slotRng = new Generator[slots];
        var slotNext = new int[slots];          // the token to feed next
        var active = new int[slots];
        var tokens = new int[slots];
        var positions = new int[slots];
        var logits = new float[slots * vocabulary];
        var scratch = new float[2 * (ByteTokens.Eos + 1)];
        int nextRequest = 0;

        for (int s = 0; s < slots; s++) Start(s);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n = 0;
            for (int s = 0; s < slots; s++)
            {
                if (slotRequest[s] < 0) continue;
                active[n] = s;
                tokens[n] = slotNext[s];
                positions[n] = slotPosition[s];
                n++;
            }
            if (n == 0) break;
            decoder.Step(active.AsSpan(0, n), tokens.AsSpan(0, n), positions.AsSpan(0, n), logits);
            for (int i = 0; i < n; i++)
            {
                int s = active[i];
                var prompt = prompts[slotRequest[s]];
                int fed = ++slotPosition[s]; // tokens fed so far
                if (fed < prompt.Length)
                {
                    slotNext[s] = prompt[fed]; // still reading the prompt
                    continue;
                }
                int token = Draw(logits.AsSpan(i * vocabulary, ByteTokens.Eos + 1), options, slotRng[s], scratch);
                if (token != ByteTokens.Eos) slotTokens[s].Add((byte)token);
                if (token == ByteTokens.Eos || slotTokens[s].Count >= cap)
                {
                    results[slotRequest[s]] = ByteTokens.Decode(CollectionsMarshal.AsSpan(slotTokens[s]));
                    Start(s);
                }
                else slotNext[s] = token;
            }
        }
        return results;

        void Start(int s)
        {
            if (nextRequest >= requests.Count)
            {
                slotRequest[s] = -1;
                return;
            }
            int r = nextRequest++;
            slotRequest[s] = r;
            slotPosition[s] = 0;
            slotNext[s] = prompts[r][0];
            slotTokens[s] = new List<byte>(cap);
            for (int i = 2; i < prompts[r].Length; i++) slotTokens[s].Add((byte)prompts[r][i]);
            slotRng[s] = new Generator((ulong)StableSeed.Of(seed, r, 0x7e47));
        }
    }

    /// <summary>
    /// Draws a byte or the end token from <paramref name="logits"/> (the first 257 of the vocabulary: start, unlabelled and
    /// class tokens are never drawn): greedy at temperature 0, else softmax(logits / T) over the top k.
    /// </summary>
    internal static int Draw(ReadOnlySpan<float> logits, SamplingOptions options, Generator rng, Span<float> scratch)
    {
        int v = logits.Length;
        if (options.Temperature == 0f) return TensorPrimitives.IndexOfMax(logits);
        var p = scratch[..v];
        TensorPrimitives.Divide(logits, options.Temperature, p);
        float threshold = float.NegativeInfinity;
        if (options.TopK > 0 && options.TopK < v)
        {
            // The k-th largest value, from an ascending sort of a copy.
            var sorted = scratch.Slice(v, v);
            p.CopyTo(sorted);
            sorted.Sort();
            threshold = sorted[v - options.TopK];
        }
        float max = TensorPrimitives.Max(p);
        double sum = 0;
        for (int i = 0; i < v; i++)
        {
            p[i] = p[i] >= threshold ? MathF.Exp(p[i] - max) : 0f;
            sum += p[i];
        }
        double u = rng.NextDouble() * sum, acc = 0;
        int last = 0;
        for (int i = 0; i < v; i++)
        {
            if (p[i] <= 0f) continue;
            acc += p[i];
            last = i;
            if (u < acc) return i;
        }
        return last; // rounding left u at the very top
    }
}
