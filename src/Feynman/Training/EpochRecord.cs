namespace Feynman.Training;

/// <summary>What one epoch measured. Validation values are NaN when there is no validation set.</summary>
public sealed record EpochRecord(int Epoch, double TrainLoss, double TrainAccuracy, double ValidationLoss, double ValidationAccuracy, double LearningRate, double Seconds);
