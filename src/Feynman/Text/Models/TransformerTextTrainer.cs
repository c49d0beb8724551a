using Feynman.Tensors;

namespace Feynman.Text.Models;

/// <summary>Trains a <see cref="TransformerTextClassifier"/>: a word vocabulary from the training texts, then the loop of <see cref="StudentTrainingOptions"/>.</summary>
public sealed class TransformerTextTrainer(TransformerTextOptions? options = null) : ITextStudentTrainer
{
    public TransformerTextOptions Options { get; } = options ?? new TransformerTextOptions();

    ITextClassifier ITextStudentTrainer.Train(IReadOnlyList<TextExample> train, IReadOnlyList<float[]?>? softTargets, IReadOnlyList<string> labelNames,
                                              int seed, IProgress<string>? progress, CancellationToken cancellationToken) =>
        Train(train, softTargets, labelNames, seed, progress, cancellationToken);

    public TransformerTextClassifier Train(IReadOnlyList<TextExample> train, IReadOnlyList<float[]?>? softTargets, IReadOnlyList<string> labelNames,
                                           int seed, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        Options.Validate();
        var tokenizer = TextTokenizer.Build(train.Select(e => e.Text), Options.Tokenizer with { MaxWords = Options.MaxLength });
        var model = new TransformerTextClassifier(tokenizer, labelNames, Options, new Generator((ulong)seed));
        var sequences = train.Select(e => model.TokenIds(e.Text)).ToArray();
        StudentTraining.Run("transformer", model, train, softTargets, labelNames.Count, Options.Training, seed,
                            batch => model.Forward(batch.Select(i => sequences[i]).ToArray()), progress, cancellationToken,
                            lengths: sequences.Select(s => s.Length).ToArray());
        return model;
    }
}
