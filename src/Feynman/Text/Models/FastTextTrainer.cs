using Feynman.Tensors;

namespace Feynman.Text.Models;

/// <summary>Trains a <see cref="FastTextClassifier"/>: the tokenizer's vocabulary from the training texts, then the loop of <see cref="StudentTrainingOptions"/>.</summary>
public sealed class FastTextTrainer(FastTextOptions? options = null) : ITextStudentTrainer
{
    public FastTextOptions Options { get; } = options ?? new FastTextOptions();

    ITextClassifier ITextStudentTrainer.Train(IReadOnlyList<TextExample> train, IReadOnlyList<float[]?>? softTargets, IReadOnlyList<string> labelNames,
                                              int seed, IProgress<string>? progress, CancellationToken cancellationToken) =>
        Train(train, softTargets, labelNames, seed, progress, cancellationToken);

    public FastTextClassifier Train(IReadOnlyList<TextExample> train, IReadOnlyList<float[]?>? softTargets, IReadOnlyList<string> labelNames,
                                    int seed, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        var tokenizer = TextTokenizer.Build(train.Select(e => e.Text), Options.Tokenizer);
        var model = new FastTextClassifier(tokenizer, labelNames, Options.Dimension, new Generator((ulong)seed));
        var bags = train.Select(e => tokenizer.Features(e.Text)).ToArray();
        StudentTraining.Run("fasttext", model, train, softTargets, labelNames.Count, Options.Training, seed,
                            batch => model.Forward(batch.Select(i => bags[i]).ToArray()), progress, cancellationToken);
        return model;
    }
}
