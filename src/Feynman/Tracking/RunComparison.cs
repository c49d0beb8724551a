namespace Feynman.Tracking;

/// <summary>
/// Runs side by side: one row per (model, final metric) with each run's value (null where a run lacks it),
/// and the parameters (flattened JSON paths) whose values differ between the runs.
/// </summary>
public sealed record RunComparison(
    IReadOnlyList<RunSummary> Runs,
    IReadOnlyList<RunComparison.MetricRow> Metrics,
    IReadOnlyList<RunComparison.ParameterRow> ParameterDifferences)
{
    public sealed record MetricRow(string Model, string Key, IReadOnlyList<double?> Values);

    public sealed record ParameterRow(string Path, IReadOnlyList<string?> Values);
}
