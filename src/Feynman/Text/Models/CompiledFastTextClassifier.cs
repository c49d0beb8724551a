using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Feynman.Text.Models;

/// <summary>
/// The inference path of a trained <see cref="FastTextClassifier"/>, folded ahead of time. The model's logits are
/// W·mean(E[f]) + b over a text's features f; being linear, that is mean(W·E[f]) + b, so every embedding row is
/// projected once onto the classes (P[f] = W·E[f]), and each vocabulary word's id and character n-grams, which
/// are always the same, are summed into one row per word with their count. A message then costs, per known word,
/// one lookup and one row of <c>classes</c> floats, and per bigram or unknown-word n-gram one projected bucket
/// row: the same function as the model's, with fewer memory reads (float rounding aside, within 1e-5). It is a
/// snapshot of the weights when compiled: compile again after training. Thread-safe (it only reads).
/// </summary>
public sealed class CompiledFastTextClassifier : ITextClassifier
{
    private readonly TextTokenizer tokenizer;
    private readonly int classes;
    private readonly float[] wordRows;
    private readonly int[] wordCounts;
    private readonly float[] bucketRows;
    private readonly float[] bias;

    internal CompiledFastTextClassifier(FastTextClassifier model)
    {
        tokenizer = model.Tokenizer;
        LabelNames = model.LabelNames;
        classes = model.LabelNames.Count;
        int dim = model.Dimension, vocabulary = tokenizer.VocabularySize, rows = tokenizer.FeatureCount;
        var e = model.Embedding.Weight.ReadOnlySpan;
        var w = model.Output.Weight.ReadOnlySpan;
        bias = model.Output.Bias!.ReadOnlySpan.ToArray();
        var projected = new float[(long)rows * classes];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < classes; c++)
                projected[(long)r * classes + c] = TensorPrimitives.Dot(e.Slice(r * dim, dim), w.Slice(c * dim, dim));
        bucketRows = projected.AsSpan(vocabulary * classes).ToArray();
        wordRows = new float[vocabulary * classes];
        wordCounts = new int[vocabulary];
        Span<double> sum = stackalloc double[classes];
        for (int id = 0; id < vocabulary; id++)
        {
            var features = tokenizer.WordFeatures(id);
            sum.Clear();
            foreach (int f in features)
                for (int c = 0; c < classes; c++) sum[c] += projected[(long)f * classes + c];
            for (int c = 0; c < classes; c++) wordRows[id * classes + c] = (float)sum[c];
            wordCounts[id] = features.Length;
        }
        ParameterCount = model.ParameterCount;
    }

    public IReadOnlyList<string> LabelNames { get; }

    /// <summary>The parameters of the model this was compiled from.</summary>
    public long ParameterCount { get; }

    /// <summary>Floats the compiled path reads from: a row per vocabulary word and per bucket, and the bias.</summary>
    public long TableSize => wordRows.Length + bucketRows.Length + bias.Length;

    public void PredictProbabilities(string text, Span<float> probabilities)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (probabilities.Length < classes)
            throw new ArgumentException($"the probability buffer holds {probabilities.Length} values; {classes} labels need {classes}.", nameof(probabilities));
        var logits = probabilities[..classes];
        logits.Clear();
        var sum = new LogitSum(wordRows, wordCounts, bucketRows, logits, classes);
        tokenizer.VisitWords(text, ref sum);
        if (sum.Count > 0) TensorPrimitives.Multiply(logits, 1f / sum.Count, logits);
        TensorPrimitives.Add(logits, bias, logits);
        TensorPrimitives.SoftMax(logits, logits);
    }

    /// <summary>Adds each word's or bucket's projected row into the logits as the tokenizer finds it.</summary>
    private ref struct LogitSum(float[] wordRows, int[] wordCounts, float[] bucketRows, Span<float> logits, int classes) : IWordVisitor
    {
        private readonly Span<float> logits = logits;

        public int Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Word(int id)
        {
            Add(ref MemoryMarshal.GetArrayDataReference(wordRows), id);
            Count += wordCounts[id];
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Bucket(int bucket)
        {
            Add(ref MemoryMarshal.GetArrayDataReference(bucketRows), bucket);
            Count++;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly void Add(ref float table, int row)
        {
            ref float src = ref Unsafe.Add(ref table, (nint)row * classes);
            ref float dst = ref MemoryMarshal.GetReference(logits);
            if (classes == 2)
            {
                dst += src;
                Unsafe.Add(ref dst, 1) += Unsafe.Add(ref src, 1);
                return;
            }
            for (int c = 0; c < classes; c++) Unsafe.Add(ref dst, c) += Unsafe.Add(ref src, c);
        }
    }
}
