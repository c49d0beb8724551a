namespace Feynman.Training;

/// <summary>The outcome of <see cref="Trainer.Fit"/>.</summary>
public sealed record TrainingResult(string Model, IReadOnlyList<EpochRecord> History, bool Interrupted, bool StoppedEarly, int BestEpoch, double TrainingSeconds, double SamplesPerSecond)
{
    public EpochRecord? Last => History.Count > 0 ? History[^1] : null;
}
