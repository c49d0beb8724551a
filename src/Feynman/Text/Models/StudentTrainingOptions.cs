namespace Feynman.Text.Models;

/// <summary>
/// How a text student is trained: AdamW over shuffled mini-batches (the shuffle seeded by the seed given to
/// <see cref="ITextStudentTrainer.Train"/>), the learning rate decaying linearly to zero as in fastText.
/// With soft targets q (a teacher's probabilities), the loss is
/// α·CE(student, hard label) + (1 − α)·T²·CE(softmax(student/T), q_T), where q_T ∝ q^(1/T) is the teacher's
/// distribution at temperature T (exactly softmax(teacher logits / T) when q = softmax(teacher logits)).
/// The second term differs from Hinton et al.'s KL(q_T ‖ softmax(student/T)) only by the teacher's entropy,
/// a constant, so the gradients are the same. Rows without a soft target use their one-hot label as q.
/// </summary>
public sealed record StudentTrainingOptions
{
    public int Epochs { get; init; } = 5;

    public int BatchSize { get; init; } = 32;

    public double LearningRate { get; init; } = 0.01;

    public double WeightDecay { get; init; }

    /// <summary>Weight of the hard-label term when soft targets are given (0: soft targets only).</summary>
    public double Alpha { get; init; } = 0.1;

    public double Temperature { get; init; } = 1;

    /// <summary>Clip the global gradient norm to this (0: no clipping).</summary>
    public double ClipGradNorm { get; init; }

    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), $"epochs must be at least 1, got {Epochs}.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), $"batch_size must be at least 1, got {BatchSize}.");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), $"lr must be positive, got {LearningRate}.");
        if (!(WeightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), $"weight_decay must not be negative, got {WeightDecay}.");
        if (!(Alpha is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(Alpha), $"alpha must be in [0, 1], got {Alpha}.");
        if (!(Temperature > 0)) throw new ArgumentOutOfRangeException(nameof(Temperature), $"temperature must be positive, got {Temperature}.");
        if (!(ClipGradNorm >= 0)) throw new ArgumentOutOfRangeException(nameof(ClipGradNorm), $"clip_grad_norm must not be negative, got {ClipGradNorm}.");
    }
}
