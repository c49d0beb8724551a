using Feynman.Training;

namespace Feynman.Paradigms;

/// <summary>
/// One model of a self-training run: round 0 is the teacher trained on the labels alone; round r ≥ 1
/// the student trained on labels plus round r−1's pseudo-labels. PseudoLabelAccuracy is measured against
/// the pool's hidden labels when it has them (NaN otherwise); it is never used for training.
/// ClassesWithoutPseudoLabels names the classes (by index) that got no pseudo-label this round: the teacher was
/// confident on none of their pool samples, so the student sees them only in the labels. ConfidentPerClass counts,
/// per predicted class, the pool samples at or above the threshold before balancing; DistinctPseudoLabelled how many
/// different pool samples the pseudo-labels hold (fewer than PseudoLabels when balancing repeated some).
/// </summary>
public sealed record SelfTrainingRound(int Round, int PseudoLabels, double PseudoLabelAccuracy, double TestAccuracy, TrainingResult Training)
{
    public IReadOnlyList<int> ClassesWithoutPseudoLabels { get; init; } = [];

    public IReadOnlyList<int> ConfidentPerClass { get; init; } = [];

    public int DistinctPseudoLabelled { get; init; }
}
