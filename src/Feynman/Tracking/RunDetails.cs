namespace Feynman.Tracking;

/// <summary>Everything recorded about one run (for `feynman runs show` and reports).</summary>
public sealed record RunDetails(
    RunSummary Summary,
    string? Recipe,
    string? ParametersJson,
    IReadOnlyList<EpochMetric> EpochMetrics,
    IReadOnlyList<FinalMetric> FinalMetrics,
    IReadOnlyList<Artifact> Artifacts)
{
    /// <summary>The final value of <paramref name="key"/> for <paramref name="model"/>, if logged.</summary>
    public double? Final(string key, string model = "") =>
        FinalMetrics.FirstOrDefault(m => m.Key == key && m.Model == model)?.Value;

    /// <summary>The per-epoch values of one metric of one model, in epoch order.</summary>
    public IReadOnlyList<(int Epoch, double Value)> Curve(string model, string key) =>
        [.. EpochMetrics.Where(m => m.Model == model && m.Key == key).OrderBy(m => m.Epoch).Select(m => (m.Epoch, m.Value))];
}
