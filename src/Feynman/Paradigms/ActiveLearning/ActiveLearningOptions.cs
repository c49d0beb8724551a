namespace Feynman.Paradigms.ActiveLearning;

/// <summary>The schedule of an active-learning run: how many labels to start with, add per round, and stop at.</summary>
public sealed record ActiveLearningOptions
{
    /// <summary>Labels drawn at random before the first student (the same draw for every strategy of a seed).</summary>
    public int InitialLabels { get; init; } = 100;

    /// <summary>Labels asked for per round.</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>The run stops when this many labels are held.</summary>
    public int MaxLabels { get; init; } = 3000;

    /// <summary>Continue each round from the previous student instead of a freshly initialised one.</summary>
    public bool WarmStart { get; init; }

    /// <summary>Score only this many random unlabelled candidates per round (0: the whole pool), to bound the cost of a round.</summary>
    public int PoolSubsample { get; init; }

    /// <summary>
    /// Train each round's student for at least this many optimizer steps instead of the training section's
    /// epochs (0: the epochs): a round with n labels and batches of b trains ⌈steps / ⌈n / b⌉⌉ epochs, so the
    /// student gets about the same number of updates at 100 labels as at 3,000.
    /// </summary>
    public int StepsPerRound { get; init; }

    /// <summary>Epochs the student of a round with <paramref name="labelled"/> labels trains for.</summary>
    public int EpochsFor(int labelled, int batchSize, int epochs)
    {
        if (StepsPerRound <= 0) return epochs;
        int batches = (Math.Max(labelled, 1) + batchSize - 1) / batchSize;
        return (StepsPerRound + batches - 1) / batches;
    }

    /// <summary>Samples per forward pass when strategies run the student.</summary>
    public int EvaluationBatchSize { get; init; } = 1000;

    /// <summary>Throws when the schedule is impossible.</summary>
    public void Validate(int poolSize)
    {
        if (InitialLabels < 1) throw new ArgumentException($"initial labels must be at least 1, got {InitialLabels}.");
        if (BatchSize < 1) throw new ArgumentException($"the batch of labels per round must be at least 1, got {BatchSize}.");
        if (MaxLabels < InitialLabels) throw new ArgumentException($"max labels ({MaxLabels}) is below the initial labels ({InitialLabels}).");
        if (MaxLabels > poolSize) throw new ArgumentException($"max labels ({MaxLabels}) exceeds the pool of {poolSize} samples.");
        if (StepsPerRound < 0) throw new ArgumentException($"steps per round must be 0 (use the epochs) or positive, got {StepsPerRound}.");
        if (PoolSubsample < 0) throw new ArgumentException($"pool subsample must be 0 (all) or positive, got {PoolSubsample}.");
    }
}
