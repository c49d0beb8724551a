using Feynman.Training.Metrics;

namespace Feynman.Tracking.Reports;

/// <summary>A reliability diagram to draw: the bins from <see cref="Classification.Reliability"/> and the ECE.</summary>
public sealed record ReliabilityReport(string Model, IReadOnlyList<ReliabilityBin> Bins, double ExpectedCalibrationError);
