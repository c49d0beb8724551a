using Feynman.Autograd;
using Feynman.Nn;
using Feynman.Tensors;

namespace Feynman.Text.Models;

/// <summary>
/// A small transformer encoder over the first MaxLength words of a text: token embeddings (0 = padding,
/// 1 = a word outside the vocabulary) plus learnt position embeddings, pre-norm encoder layers with a final
/// LayerNorm, the mean over the text's tokens (padding left out), then a linear layer to the labels.
/// Batches are padded to their longest text and padding is masked out of attention.
/// </summary>
public sealed class TransformerTextClassifier : Module, ITextClassifier
{
    private const int Padding = 0, Unknown = 1, Specials = 2;

    public TransformerTextClassifier(TextTokenizer tokenizer, IReadOnlyList<string> labelNames, TransformerTextOptions options, Generator? rng = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(labelNames);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (labelNames.Count < 2) throw new ArgumentException($"a classifier needs at least two labels, got {labelNames.Count}.", nameof(labelNames));
        rng ??= Generator.Default;
        Tokenizer = tokenizer;
        LabelNames = labelNames.ToArray();
        Options = options;
        TokenEmbedding = RegisterModule("token_embedding", new Embedding(tokenizer.VocabularySize + Specials, options.DModel, Padding, rng));
        PositionEmbedding = RegisterModule("position_embedding", new Embedding(options.MaxLength, options.DModel, rng: rng));
        Init.Normal(TokenEmbedding.Weight, 0, 0.1, rng);
        TokenEmbedding.Weight.Span.Slice(0, options.DModel).Clear();
        Init.Normal(PositionEmbedding.Weight, 0, 0.1, rng);
        var layer = new TransformerEncoderLayer(options.DModel, options.Heads, options.FeedForward, options.Dropout, "gelu", batchFirst: true, normFirst: true, rng: rng);
        Encoder = RegisterModule("encoder", new TransformerEncoder(layer, options.Layers, new LayerNorm(options.DModel)));
        Output = RegisterModule("output", new Linear(options.DModel, labelNames.Count, rng: rng));
    }

    public TextTokenizer Tokenizer { get; }

    public IReadOnlyList<string> LabelNames { get; }

    public TransformerTextOptions Options { get; }

    public Embedding TokenEmbedding { get; }

    public Embedding PositionEmbedding { get; }

    public TransformerEncoder Encoder { get; }

    public Linear Output { get; }

    /// <summary>The token ids of a text: vocabulary ids shifted past the specials, unknown words as 1; never empty.</summary>
    public int[] TokenIds(string text)
    {
        var ids = new int[Options.MaxLength];
        int n = Tokenizer.WordIds(text, ids);
        if (n == 0) return [Unknown];
        for (int i = 0; i < n; i++) ids[i] = ids[i] < 0 ? Unknown : ids[i] + Specials;
        return ids[..n];
    }

    /// <summary>Logits [texts, classes] of token sequences (from <see cref="TokenIds"/>), with autograd.</summary>
    public Tensor Forward(IReadOnlyList<int[]> sequences)
    {
        int batch = sequences.Count;
        if (batch == 0) throw new ArgumentException("an empty batch.", nameof(sequences));
        int length = sequences.Max(s => s.Length);
        if (length > Options.MaxLength) throw new ArgumentException($"a sequence of {length} tokens is longer than max_length {Options.MaxLength}.", nameof(sequences));
        var ids = new int[batch * length];
        var padding = new bool[batch * length];
        var pool = new float[batch * length];
        for (int b = 0; b < batch; b++)
        {
            var s = sequences[b];
            if (s.Length == 0) throw new ArgumentException($"sequence {b} is empty; give at least one token.", nameof(sequences));
            s.CopyTo(ids, b * length);
            for (int l = s.Length; l < length; l++) padding[b * length + l] = true;
            pool.AsSpan(b * length, s.Length).Fill(1f / s.Length);
        }
        var positions = new int[length];
        for (int l = 0; l < length; l++) positions[l] = l;
        var x = Ops.Add(TokenEmbedding.Forward(ids, [batch, length]), PositionEmbedding.Forward(positions));
        var h = Encoder.Forward(x, null, padding.Any(p => p) ? padding : null);
        // Mean over each text's own tokens: [B, 1, L] weights (1/len on tokens, 0 on padding) times [B, L, D].
        var pooled = Ops.Reshape(Ops.MatMul(Tensor.FromArray(pool, batch, 1, length), h), batch, Options.DModel);
        return Output.Forward(pooled);
    }

    /// <summary>Logits [texts, classes] of texts, with autograd.</summary>
    public Tensor Forward(IReadOnlyList<string> texts) => Forward(texts.Select(TokenIds).ToArray());

    /// <summary>Not available: this model reads texts; call Forward(sequences) or PredictProbabilities.</summary>
    public override Tensor Forward(Tensor x) =>
        throw new NotSupportedException($"TransformerTextClassifier reads texts, not a float tensor ({x.ShapeString}): call Forward(IReadOnlyList<string>) or PredictProbabilities.");

    /// <summary>One text through the eval-mode network under no-grad.</summary>
    public void PredictProbabilities(string text, Span<float> probabilities)
    {
        int classes = LabelNames.Count;
        if (probabilities.Length < classes)
            throw new ArgumentException($"the probability buffer holds {probabilities.Length} values; {classes} labels need {classes}.", nameof(probabilities));
        bool wasTraining = IsTraining;
        if (wasTraining) Eval();
        try
        {
            using var _ = GradMode.NoGrad();
            using var scope = TensorScope.Begin();
            var logits = Forward([TokenIds(text)]);
            var p = probabilities[..classes];
            logits.ReadOnlySpan.CopyTo(p);
            TensorPrimitives.SoftMax(p, p);
        }
        finally
        {
            if (wasTraining) Train();
        }
    }

    protected override string ExtraRepr() => $"vocabulary={Tokenizer.VocabularySize}, max_length={Options.MaxLength}, labels={LabelNames.Count}";
}
