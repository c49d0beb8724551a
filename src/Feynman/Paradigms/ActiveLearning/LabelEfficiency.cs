namespace Feynman.Paradigms.ActiveLearning;

/// <summary>How many labels a strategy needs: averaging curves over seeds and finding where one reaches a target.</summary>
public static class LabelEfficiency
{
    /// <summary>
    /// The mean curve of several seeds of one strategy, at the label counts every curve reached (seed 0 marks a mean).
    /// </summary>
    public static ActiveLearningCurve Mean(IReadOnlyList<ActiveLearningCurve> curves)
    {
        if (curves.Count == 0) throw new ArgumentException("no curves to average.", nameof(curves));
        var strategy = curves[0].Strategy;
        if (curves.Any(c => c.Strategy != strategy)) throw new ArgumentException($"curves of different strategies ({string.Join(", ", curves.Select(c => c.Strategy).Distinct())}) cannot be averaged.");
        var shared = curves.Select(c => c.Points.Select(p => p.Labels).ToHashSet()).Aggregate((a, b) => { a.IntersectWith(b); return a; });
        var points = shared.Order().Select(n =>
        {
            var at = curves.Select(c => c.Points.First(p => p.Labels == n)).ToList();
            return new ActiveLearningPoint(n, at.Average(p => p.TestAccuracy), at.Average(p => p.Cost));
        }).ToList();
        return new ActiveLearningCurve(strategy, 0, points) { Interrupted = curves.Any(c => c.Interrupted) };
    }

    /// <summary>The fewest labels at which <paramref name="curve"/> reaches <paramref name="targetAccuracy"/>, or null if it never does.</summary>
    public static int? LabelsToReach(ActiveLearningCurve curve, double targetAccuracy)
    {
        foreach (var p in curve.Points.OrderBy(p => p.Labels))
            if (p.TestAccuracy >= targetAccuracy) return p.Labels;
        return null;
    }

    /// <summary>
    /// The labels <paramref name="strategy"/> needs to match <paramref name="baseline"/>'s accuracy at the baseline's
    /// most labels (the issue's yardstick: random sampling at 3,000 labels); null if it never matches.
    /// </summary>
    public static int? LabelsToMatch(ActiveLearningCurve strategy, ActiveLearningCurve baseline)
    {
        if (baseline.Points.Count == 0) throw new ArgumentException($"the baseline curve of {baseline.Strategy} is empty.", nameof(baseline));
        var last = baseline.Points.MaxBy(p => p.Labels)!;
        return LabelsToReach(strategy, last.TestAccuracy);
    }
}
