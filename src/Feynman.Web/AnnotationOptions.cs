using Feynman.Data;
using Feynman.Nn;
using Feynman.Training;

namespace Feynman.Web;

/// <summary>How <see cref="AnnotationServer"/> listens, retrains the student and fills the queue.</summary>
public sealed record AnnotationOptions
{
    /// <summary>Address to bind (loopback by default).</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Port (0: any free port; read the bound address from the app's Urls).</summary>
    public int Port { get; init; } = 5117;

    /// <summary>
    /// A fresh copy of the starting student (same architecture and starting weights every call). Retraining trains
    /// such a copy on all stored labels and swaps it in; null turns retraining off.
    /// </summary>
    public Func<Module>? CreateStudent { get; init; }

    /// <summary>Retrain after this many new labels (0: never).</summary>
    public int RetrainEvery { get; init; } = 20;

    /// <summary>How each retrained student is trained (its seed is offset by the model version).</summary>
    public TrainingOptions Training { get; init; } = new() { Epochs = 10 };

    /// <summary>Held-out labelled data every student is measured on, for the learning curve (null: no accuracy).</summary>
    public IDataset? Holdout { get; init; }

    /// <summary>Score only this many random unlabelled items when the queue is refilled (0: the whole pool).</summary>
    public int PoolSubsample { get; init; } = 2000;

    /// <summary>Items ranked per refill of the queue's cache (at least the size asked for).</summary>
    public int QueueDepth { get; init; } = 200;

    /// <summary>Seed of subsamples, strategies and retraining.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>For text pools: the text of an item, which makes items of kind "text" (null: items are images).</summary>
    public Func<int, string>? ItemText { get; init; }

    /// <summary>Throws when an option is out of range.</summary>
    public void Validate()
    {
        if (Port is < 0 or > 65535) throw new ArgumentException($"port must be 0..65535, got {Port}.");
        if (RetrainEvery < 0) throw new ArgumentException($"retrain-every must be 0 (never) or positive, got {RetrainEvery}.");
        if (PoolSubsample < 0) throw new ArgumentException($"pool subsample must be 0 (all) or positive, got {PoolSubsample}.");
        if (QueueDepth < 1) throw new ArgumentException($"queue depth must be positive, got {QueueDepth}.");
        if (Training.Epochs < 1) throw new ArgumentException($"retraining epochs must be positive, got {Training.Epochs}.");
    }
}
