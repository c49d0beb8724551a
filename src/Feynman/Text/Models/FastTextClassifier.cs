using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Feynman.Autograd;
using Feynman.Nn;
using Feynman.Tensors;

namespace Feynman.Text.Models;

/// <summary>
/// A fastText-style classifier (Joulin et al. 2016): the mean of the embeddings of a text's words, character
/// n-grams and word bigrams (<see cref="TextTokenizer"/> features), then one linear layer. Training goes through
/// the autograd path (<see cref="Forward(IReadOnlyList{int[]})"/>); <see cref="PredictProbabilities"/> is a
/// separate path that adds embedding rows straight into a stack buffer while the text is tokenized: no
/// autograd, no tensors, no allocation.
/// </summary>
public sealed class FastTextClassifier : Module, ITextClassifier
{
    public FastTextClassifier(TextTokenizer tokenizer, IReadOnlyList<string> labelNames, int dimension, Generator? rng = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(labelNames);
        if (labelNames.Count < 2) throw new ArgumentException($"a classifier needs at least two labels, got {labelNames.Count}.", nameof(labelNames));
        if (dimension is < 1 or > 1024) throw new ArgumentOutOfRangeException(nameof(dimension), $"fastText dimension must be in [1, 1024], got {dimension}.");
        if (tokenizer.FeatureCount == 0) throw new ArgumentException("the tokenizer has no features (an empty vocabulary and no hash buckets).", nameof(tokenizer));
        Tokenizer = tokenizer;
        LabelNames = labelNames.ToArray();
        Dimension = dimension;
        rng ??= Generator.Default;
        Embedding = RegisterModule("embedding", new EmbeddingBag(tokenizer.FeatureCount, dimension, "mean", rng: rng));
        // fastText's initialisation: input vectors U(-1/dim, 1/dim), output weights zero.
        Init.Uniform(Embedding.Weight, -1.0 / dimension, 1.0 / dimension, rng);
        Output = RegisterModule("output", new Linear(dimension, labelNames.Count, rng: rng));
        Init.Zeros(Output.Weight);
        Init.Zeros(Output.Bias!);
    }

    public TextTokenizer Tokenizer { get; }

    public IReadOnlyList<string> LabelNames { get; }

    public int Dimension { get; }

    public EmbeddingBag Embedding { get; }

    public Linear Output { get; }

    /// <summary>Logits [texts, classes] of feature bags (one <see cref="TextTokenizer.Features"/> array per text), with autograd.</summary>
    public Tensor Forward(IReadOnlyList<int[]> bags)
    {
        var offsets = new int[bags.Count];
        int total = 0;
        for (int i = 0; i < bags.Count; i++)
        {
            offsets[i] = total;
            total += bags[i].Length;
        }
        var indices = new int[total];
        for (int i = 0; i < bags.Count; i++) bags[i].CopyTo(indices, offsets[i]);
        return Output.Forward(Embedding.Forward(indices, offsets));
    }

    /// <summary>Logits [texts, classes] of texts, with autograd (the reference the fast path is tested against).</summary>
    public Tensor Forward(IReadOnlyList<string> texts) => Forward(texts.Select(Tokenizer.Features).ToArray());

    /// <summary>Not available: this model reads texts; call Forward(bags) or PredictProbabilities.</summary>
    public override Tensor Forward(Tensor x) =>
        throw new NotSupportedException($"FastTextClassifier reads texts, not a float tensor ({x.ShapeString}): call Forward(IReadOnlyList<string>) or PredictProbabilities.");

    public void PredictProbabilities(string text, Span<float> probabilities)
    {
        ArgumentNullException.ThrowIfNull(text);
        int classes = LabelNames.Count;
        if (probabilities.Length < classes)
            throw new ArgumentException($"the probability buffer holds {probabilities.Length} values; {classes} labels need {classes}.", nameof(probabilities));
        Span<float> hidden = stackalloc float[Dimension];
        hidden.Clear();
        var sum = new RowSum(Embedding.Weight.ReadOnlySpan, hidden, Dimension);
        Tokenizer.VisitFeatures(text, ref sum);
        if (sum.Count > 0) TensorPrimitives.Multiply(hidden, 1f / sum.Count, hidden);
        var w = Output.Weight.ReadOnlySpan;
        var b = Output.Bias!.ReadOnlySpan;
        var logits = probabilities[..classes];
        for (int c = 0; c < classes; c++) logits[c] = TensorPrimitives.Dot(w.Slice(c * Dimension, Dimension), hidden) + b[c];
        TensorPrimitives.SoftMax(logits, logits);
    }

    /// <summary>The folded inference path (<see cref="CompiledFastTextClassifier"/>) of the weights as they are now.</summary>
    public CompiledFastTextClassifier Compile() => new(this);

    /// <inheritdoc />
    public ITextClassifier ForInference() => Compile();

    protected override string ExtraRepr() =>
        $"vocabulary={Tokenizer.VocabularySize}, buckets={Tokenizer.Options.Buckets}, dim={Dimension}, labels={LabelNames.Count}";

    /// <summary>Adds each feature's embedding row into the hidden vector as the tokenizer finds it.</summary>
    private ref struct RowSum(ReadOnlySpan<float> weight, Span<float> hidden, int dimension) : IFeatureVisitor
    {
        private readonly ReadOnlySpan<float> weight = weight;
        private readonly Span<float> hidden = hidden;

        public int Count;

        public void Feature(int id)
        {
            // Inlined vector adds: a row is short (16-64 floats) and there are thousands per message,
            // so a library call per row would cost more than the arithmetic.
            var row = weight.Slice(id * dimension, dimension);
            ref float src = ref MemoryMarshal.GetReference(row);
            ref float dst = ref MemoryMarshal.GetReference(hidden);
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
                for (; i <= dimension - 8; i += 8)
                    (Vector256.LoadUnsafe(ref dst, (nuint)i) + Vector256.LoadUnsafe(ref src, (nuint)i)).StoreUnsafe(ref dst, (nuint)i);
            for (; i < dimension; i++) Unsafe.Add(ref dst, i) += Unsafe.Add(ref src, i);
            Count++;
        }
    }
}
