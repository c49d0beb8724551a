using Feynman.Training;

namespace Feynman.Experiments;

/// <summary>Where and how an experiment runs (everything that is not in the recipe).</summary>
public sealed record ExperimentSettings
{
    /// <summary>Output folder: weights, checkpoints, results.json and report.html.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Run database (null: do not record the run).</summary>
    public string? DatabasePath { get; init; }

    /// <summary>Folder with Fashion-MNIST files, when not the Debian package's.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Continue models from their checkpoints in the output folder.</summary>
    public bool Resume { get; init; }

    /// <summary>Overrides every model's epoch count (quick trials); null keeps the recipe's.</summary>
    public int? Epochs { get; init; }

    /// <summary>Overrides the recipe's seed.</summary>
    public ulong? Seed { get; init; }

    /// <summary>Use only this many training samples (quick trials); null uses all.</summary>
    public int? TrainLimit { get; init; }

    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>Phase messages ("training teacher cnn", ...).</summary>
    public Action<string>? Log { get; init; }
}
