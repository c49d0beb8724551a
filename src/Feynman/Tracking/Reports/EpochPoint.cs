namespace Feynman.Tracking.Reports;

/// <summary>One epoch of a learning curve; values that were not measured are null.</summary>
public sealed record EpochPoint(int Epoch, double? TrainLoss, double? ValidationLoss, double? TrainAccuracy, double? ValidationAccuracy);
