using Feynman.Nn;

namespace Feynman.Paradigms;

/// <summary>What a self-training run measured, round by round, and the last model.</summary>
public sealed record SelfTrainingResult(IReadOnlyList<SelfTrainingRound> Rounds, Module FinalModel, bool Interrupted)
{
    /// <summary>The labels-only teacher's test accuracy (round 0).</summary>
    public double LabelsOnlyAccuracy => Rounds[0].TestAccuracy;

    public double FinalAccuracy => Rounds[^1].TestAccuracy;
}
