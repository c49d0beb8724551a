namespace Feynman.Training;

/// <summary>How a student is trained: the loop's settings, as a recipe states them.</summary>
public sealed record TrainingOptions
{
    public int Epochs { get; init; } = 10;

    public int BatchSize { get; init; } = 128;

    /// <summary>"sgd", "adam" or "adamw".</summary>
    public string Optimizer { get; init; } = "sgd";

    public double LearningRate { get; init; } = 0.05;

    public double Momentum { get; init; } = 0.9;

    public bool Nesterov { get; init; }

    public double WeightDecay { get; init; } = 5e-4;

    /// <summary>"constant" (or "none"), "cosine" (to zero over the run) or "step" (×0.1 every third of the run).</summary>
    public string Schedule { get; init; } = "cosine";

    /// <summary>Epochs of linear learning-rate warm-up before the schedule.</summary>
    public int WarmupEpochs { get; init; }

    /// <summary>Global gradient-norm clip (0 = off).</summary>
    public double ClipGradNorm { get; init; }

    /// <summary>Random crop of training images after this much zero padding (0 = off).</summary>
    public int CropPadding { get; init; }

    /// <summary>Random horizontal flip of training images.</summary>
    public bool HorizontalFlip { get; init; }

    /// <summary>Stop after this many epochs without a better validation metric, and restore the best weights (0 = off).</summary>
    public int EarlyStoppingPatience { get; init; }

    /// <summary>The validation metric early stopping watches: "val_loss" (lower is better) or "val_accuracy".</summary>
    public string EarlyStoppingMetric { get; init; } = "val_loss";

    /// <summary>An improvement smaller than this does not count.</summary>
    public double EarlyStoppingMinDelta { get; init; }

    public double Beta1 { get; init; } = 0.9;

    public double Beta2 { get; init; } = 0.999;

    public double Eps { get; init; } = 1e-8;

    /// <summary>Data order, augmentation and dropout depend only on this.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Where per-epoch checkpoints go (null: none, and no resume).</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Continue from the checkpoint in <see cref="CheckpointDirectory"/> when there is one.</summary>
    public bool Resume { get; init; }

    public int EvaluationBatchSize { get; init; } = 1000;

    /// <summary>The optimizer these options name, over <paramref name="parameters"/> (one place for every training loop).</summary>
    public Optim.Optimizer CreateOptimizer(IEnumerable<Tensors.Tensor> parameters) => Optimizer.ToLowerInvariant() switch
    {
        "sgd" => new Optim.Sgd(parameters, LearningRate, Momentum, 0, WeightDecay, Nesterov),
        "adam" => new Optim.Adam(parameters, LearningRate, Beta1, Beta2, Eps, WeightDecay),
        "adamw" => new Optim.AdamW(parameters, LearningRate, Beta1, Beta2, Eps, WeightDecay),
        _ => throw new ArgumentException($"unknown optimizer '{Optimizer}' (sgd, adam, adamw)."),
    };
}
