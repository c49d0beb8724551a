using Feynman.Training;
using Feynman.Training.Metrics;

namespace Feynman.Experiments;

/// <summary>One trained model of an experiment, as results.json records it.</summary>
public sealed record ModelOutcome
{
    public required string Name { get; init; }

    /// <summary>"teacher", "student (labels)", "student (distilled)", "model".</summary>
    public required string Role { get; init; }

    public double TestAccuracy { get; init; }

    public double TestLoss { get; init; }

    public double ExpectedCalibrationError { get; init; }

    public long Parameters { get; init; }

    public double MicrosecondsPerSample { get; init; }

    public double TrainingSeconds { get; init; }

    public double SamplesPerSecond { get; init; }

    public string? Weights { get; init; }

    public IReadOnlyList<EpochRecord> History { get; init; } = [];

    public long[][] Confusion { get; init; } = [];

    public IReadOnlyList<ReliabilityBin> Reliability { get; init; } = [];
}
