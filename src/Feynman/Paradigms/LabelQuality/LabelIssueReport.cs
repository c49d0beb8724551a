namespace Feynman.Paradigms.LabelQuality;

/// <summary>
/// What confident learning found: per-class thresholds, the calibrated confident joint (rows: given label,
/// columns: estimated true label), the estimated share of wrong labels, and the suspected issues, largest margin first.
/// </summary>
public sealed record LabelIssueReport(double[] Thresholds, long[][] ConfidentJoint, double EstimatedNoiseRate, IReadOnlyList<LabelIssue> Issues);
