namespace Feynman.Tracking.Reports;

/// <summary>The per-epoch training and validation loss and accuracy of one model (NaN or null where not measured).</summary>
public sealed record LearningCurve(string Model, IReadOnlyList<EpochPoint> Points);
