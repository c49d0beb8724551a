namespace Feynman.Tracking;

/// <summary>
/// The metric names the training loop logs and reports read, so a report can be rebuilt from the run
/// database alone. Per-epoch keys go to <see cref="Run.LogEpoch(string, int, string, double)"/>, final keys to <see cref="Run.LogMetric"/>.
/// </summary>
public static class MetricKeys
{
    // per epoch
    public const string TrainLoss = "train_loss";
    public const string ValidationLoss = "val_loss";
    public const string TrainAccuracy = "train_accuracy";
    public const string ValidationAccuracy = "val_accuracy";
    public const string LearningRate = "lr";
    public const string SamplesPerSecond = "samples_per_second";

    // final, per model
    public const string TestAccuracy = "test_accuracy";
    public const string TestLoss = "test_loss";
    public const string Parameters = "parameters";
    public const string MicrosecondsPerSample = "us_per_sample";
    public const string TrainSeconds = "train_seconds";
    public const string ExpectedCalibrationError = "ece";
    public const string NegativeLogLikelihood = "nll";
}
