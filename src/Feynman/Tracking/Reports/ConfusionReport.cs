namespace Feynman.Tracking.Reports;

/// <summary>A confusion matrix to draw: Counts[actual][predicted], with the class names in label order.</summary>
public sealed record ConfusionReport(string Model, IReadOnlyList<string> ClassNames, long[][] Counts);
