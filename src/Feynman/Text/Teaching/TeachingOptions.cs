namespace Feynman.Text.Teaching;

/// <summary>The closed teaching loop's settings (the recipe's <c>teach:</c> section; see docs/text-teaching.md).</summary>
public sealed record TeachingOptions
{
    /// <summary>Most student rounds (each trains, evaluates, and, except the last, asks for new examples).</summary>
    public int Rounds { get; init; } = 5;

    /// <summary>Development examples shown to the writer per round: misclassified first (most confident mistakes),
    /// then the least confident correct ones.</summary>
    public int FailuresPerRound { get; init; } = 20;

    /// <summary>New examples asked of the writer per round.</summary>
    public int ExamplesPerRound { get; init; } = 50;

    public NoveltyMethod Novelty { get; init; } = NoveltyMethod.RougeL;

    /// <summary>A new example is rejected when its similarity to one already kept exceeds this (ROUGE-L F) or reaches it (MinHash Jaccard).</summary>
    public double NoveltyThreshold { get; init; } = 0.7;

    /// <summary>The labelling teacher must give the writer's intended label at least this probability.</summary>
    public double ConfidenceThreshold { get; init; } = 0.7;

    /// <summary>Stop once the student's development accuracy reaches this.</summary>
    public double TargetAccuracy { get; init; } = 1.0;

    /// <summary>Train students on the teacher's probabilities (true) or on its hard labels.</summary>
    public bool SoftTargets { get; init; } = true;

    public int Seed { get; init; } = 1;

    public void Validate()
    {
        if (Rounds < 1) throw new ArgumentException($"teach.rounds must be at least 1, got {Rounds}.");
        if (FailuresPerRound < 0) throw new ArgumentException($"teach.failures_per_round must be 0 or more, got {FailuresPerRound}.");
        if (ExamplesPerRound < 1) throw new ArgumentException($"teach.examples_per_round must be at least 1, got {ExamplesPerRound}.");
        if (NoveltyThreshold is < 0 or > 1) throw new ArgumentException($"teach.novelty.threshold must be in [0, 1], got {NoveltyThreshold}.");
        if (ConfidenceThreshold is < 0 or > 1) throw new ArgumentException($"teach.confidence_threshold must be in [0, 1], got {ConfidenceThreshold}.");
        if (TargetAccuracy is < 0 or > 1) throw new ArgumentException($"teach.target_accuracy must be in [0, 1], got {TargetAccuracy}.");
    }
}
