namespace Feynman.Tracking.Reports;

/// <summary>
/// Builds a report from what a run recorded: its saved report model when there is one, otherwise the
/// table and learning curves from the metrics named in <see cref="MetricKeys"/>.
/// </summary>
public static class ReportBuilder
{
    public static ReportModel FromRun(RunStore store, long id)
    {
        var details = store.GetRun(id);
        var saved = store.GetDocument(id, ReportJson.DocumentName);
        var model = saved is null ? FromMetrics(details) : ReportJson.Deserialize(saved);
        return model with { Facts = Facts(details, model.Facts) };
    }

    /// <summary>The model table and learning curves from the run's metrics (no confusion or calibration data).</summary>
    public static ReportModel FromMetrics(RunDetails run)
    {
        var models = run.FinalMetrics.Select(m => m.Model).Concat(run.EpochMetrics.Select(m => m.Model))
            .Where(m => m.Length > 0).Distinct().ToList();
        var table = new List<ModelResult>();
        foreach (var name in models)
        {
            if (run.Final(MetricKeys.TestAccuracy, name) is not { } accuracy) continue;
            table.Add(new ModelResult(name, name.Contains("teacher", StringComparison.OrdinalIgnoreCase) ? "teacher" : "student", accuracy,
                (long)(run.Final(MetricKeys.Parameters, name) ?? 0),
                run.Final(MetricKeys.MicrosecondsPerSample, name) ?? double.NaN,
                TimeSpan.FromSeconds(run.Final(MetricKeys.TrainSeconds, name) ?? 0))
            {
                ExpectedCalibrationError = run.Final(MetricKeys.ExpectedCalibrationError, name),
                NegativeLogLikelihood = run.Final(MetricKeys.NegativeLogLikelihood, name),
            });
        }
        var curves = new List<LearningCurve>();
        foreach (var name in models)
        {
            var epochs = run.EpochMetrics.Where(m => m.Model == name).GroupBy(m => m.Epoch).OrderBy(g => g.Key).ToList();
            if (epochs.Count == 0) continue;
            double? Value(IGrouping<int, EpochMetric> g, string key) => g.FirstOrDefault(m => m.Key == key)?.Value;
            curves.Add(new LearningCurve(name, [.. epochs.Select(g => new EpochPoint(g.Key,
                Value(g, MetricKeys.TrainLoss), Value(g, MetricKeys.ValidationLoss), Value(g, MetricKeys.TrainAccuracy), Value(g, MetricKeys.ValidationAccuracy)))]));
        }
        return new ReportModel(run.Summary.Name, table, curves, [], []);
    }

    private static IReadOnlyList<KeyValuePair<string, string>> Facts(RunDetails run, IReadOnlyList<KeyValuePair<string, string>> existing)
    {
        var s = run.Summary;
        var facts = new List<KeyValuePair<string, string>> { new("run", s.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("status", s.Status.ToString().ToLowerInvariant()) };
        if (s.Seed is { } seed) facts.Add(new("seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (s.GitCommit is { } commit) facts.Add(new("commit", commit[..Math.Min(12, commit.Length)]));
        facts.Add(new("started", s.StartedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture)));
        if (s.Duration is { } d) facts.Add(new("took", HtmlReport.FormatDuration(d)));
        // Facts the training code added (recipe path, data) come after, unless they repeat a key.
        facts.AddRange(existing.Where(f => facts.All(x => x.Key != f.Key)));
        return facts;
    }
}
