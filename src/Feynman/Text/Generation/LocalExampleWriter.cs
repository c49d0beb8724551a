using System.Security.Cryptography;
using System.Text;
using Feynman.Synthesis;
using Feynman.Tensors;
using Feynman.Text.Teaching;

namespace Feynman.Text.Generation;

/// <summary>
/// The offline teacher that writes new labelled examples ("local"): a class-conditioned <see cref="ByteLanguageModel"/>
/// samples <see cref="ExampleRequest.Count"/> texts, spread over the classes in proportion to the student's failures by
/// true label (evenly when there are none), some primed with the opening words of a failure of their class. Each example
/// carries the class it was sampled for and an id hashed from its text and label. The same (Seed, Round) gives the same
/// examples. Train or load the model with <see cref="LanguageModelTrainer.LoadOrTrain"/>.
/// </summary>
public sealed class LocalExampleWriter : IExampleWriter
{
    private readonly TextSampler sampler;

    public LocalExampleWriter(ByteLanguageModel model, LocalExampleWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Options = options ?? new LocalExampleWriterOptions();
        Options.Validate();
        Model = model;
        sampler = new TextSampler(model);
    }

    public string Name => "local";

    public ByteLanguageModel Model { get; }

    public LocalExampleWriterOptions Options { get; }

    public Task<IReadOnlyList<TextExample>> WriteAsync(ExampleRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Check(request);
        return Task.Run(() => Write(request, cancellationToken), cancellationToken);
    }

    /// <summary>The work of <see cref="WriteAsync"/>, on the calling thread.</summary>
    public IReadOnlyList<TextExample> Write(ExampleRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Check(request);
        int classes = Model.LabelNames.Count;
        var quota = AllocateCounts(request.Failures, classes, request.Count);
        var failureTexts = new List<string>[classes];
        for (int c = 0; c < classes; c++) failureTexts[c] = [];
        foreach (var f in request.Failures)
            if (!string.IsNullOrWhiteSpace(f.Text)) failureTexts[f.TrueLabel].Add(f.Text);
        var pickRng = new Generator((ulong)StableSeed.Of(request.Seed, request.Round, 0x9f11));
        var primedSoFar = new int[classes];
        var madeSoFar = new int[classes];
        int cap = Math.Min(Options.Sampling.MaxLength, Model.ContextLength - 1);

        var kept = new List<TextExample>(request.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int attempt = 0; attempt < Options.MaxAttempts; attempt++)
        {
            var plan = new List<SampleRequest>();
            var prefixes = new List<string>();
            for (int c = 0; c < classes; c++)
            {
                int missing = quota[c] - kept.Count(e => e.Label == c);
                for (int j = 0; j < missing; j++)
                {
                    // Primed examples spread evenly through each class's list (as a Bresenham line), so any prefix of it is mixed too.
                    int made = madeSoFar[c]++;
                    bool primed = failureTexts[c].Count > 0 && (int)Math.Floor((made + 1) * Options.PrimedFraction) > primedSoFar[c];
                    string prefix = "";
                    if (primed)
                    {
                        primedSoFar[c]++;
                        prefix = Prefix(failureTexts[c][pickRng.NextInt(failureTexts[c].Count)], Options.PrefixLength, cap / 2);
                    }
                    plan.Add(new SampleRequest(c, prefix));
                    prefixes.Add(prefix);
                }
            }
            if (plan.Count == 0) break;
            var texts = sampler.Sample(plan, Options.Sampling, StableSeed.Of(request.Seed, request.Round, 0x5a00 + attempt), cancellationToken);
            for (int i = 0; i < texts.Count; i++)
            {
                var text = texts[i];
                if (text.Length - prefixes[i].Length < Options.MinNewCharacters || text.Trim().Length - prefixes[i].Trim().Length < Options.MinNewCharacters) continue;
                int label = plan[i].Label;
                if (!seen.Add(label + "\u001f" + text)) continue;
                kept.Add(new TextExample(StableId(text, label), text, label));
            }
        }
        return kept;
    }

    /// <summary>
    /// How many of <paramref name="count"/> examples each class gets: in proportion to the failures whose true label it is
    /// (every class alike when there are none), rounded by largest remainder so they sum to <paramref name="count"/>.
    /// </summary>
    public static int[] AllocateCounts(IReadOnlyList<StudentFailure> failures, int classes, int count)
    {
        ArgumentNullException.ThrowIfNull(failures);
        if (classes <= 0) throw new ArgumentOutOfRangeException(nameof(classes), $"classes must be positive, got {classes}.");
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), $"count must be >= 0, got {count}.");
        var weight = new double[classes];
        foreach (var f in failures)
        {
            if ((uint)f.TrueLabel >= (uint)classes)
                throw new ArgumentException($"a failure has true label {f.TrueLabel}, outside the {classes} classes.", nameof(failures));
            weight[f.TrueLabel]++;
        }
        double total = weight.Sum();
        if (total == 0)
        {
            Array.Fill(weight, 1);
            total = classes;
        }
        var counts = new int[classes];
        var remainder = new double[classes];
        for (int c = 0; c < classes; c++)
        {
            double share = count * weight[c] / total;
            counts[c] = (int)Math.Floor(share);
            remainder[c] = share - counts[c];
        }
        int left = count - counts.Sum();
        // Largest remainders first; ties go to the lower class index, so the split is deterministic.
        foreach (int c in Enumerable.Range(0, classes).OrderByDescending(c => remainder[c]).ThenBy(c => c).Take(left)) counts[c]++;
        return counts;
    }

    /// <summary>"local-" and 16 hex digits of SHA-256 over label and text: the same example always gets the same id.</summary>
    public static string StableId(string text, int label)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(label.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\u001f" + text));
        return "local-" + Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }

    // The opening of a failure: up to `length` characters, cut back to the last whitespace when it lies in the second
    // half (so the model continues at a word boundary), never splitting a surrogate pair, within `maxBytes` of UTF-8.
    internal static string Prefix(string text, int length, int maxBytes)
    {
        if (length <= 0 || maxBytes <= 0) return "";
        int end = Math.Min(length, text.Length);
        if (end < text.Length && !char.IsWhiteSpace(text[end]))
        {
            int space = text.LastIndexOfAny([' ', '\n', '\t', '\r'], end - 1, end);
            if (space >= end / 2) end = space + 1;
        }
        while (end > 0 && (char.IsHighSurrogate(text[end - 1]) || Encoding.UTF8.GetByteCount(text.AsSpan(0, end)) > maxBytes)) end--;
        return text[..end];
    }

    private void Check(ExampleRequest request)
    {
        if (request.LabelNames is null || !request.LabelNames.SequenceEqual(Model.LabelNames, StringComparer.Ordinal))
            throw new ArgumentException($"the request's labels [{string.Join(", ", request.LabelNames ?? [])}] are not the local generator's labels [{string.Join(", ", Model.LabelNames)}]; train the generator on the same label set.", nameof(request));
        if (request.Count < 0) throw new ArgumentException($"the request asks for {request.Count} examples; the count must be >= 0.", nameof(request));
        ArgumentNullException.ThrowIfNull(request.Failures, nameof(request.Failures));
        foreach (var f in request.Failures)
            if (f is null || (uint)f.TrueLabel >= (uint)Model.LabelNames.Count)
                throw new ArgumentException($"a failure has true label {f?.TrueLabel.ToString() ?? "(null failure)"}, outside the {Model.LabelNames.Count} classes [{string.Join(", ", Model.LabelNames)}].", nameof(request));
    }
}
