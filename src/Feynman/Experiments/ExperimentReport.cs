using System.Globalization;
using Feynman.Tracking.Reports;

namespace Feynman.Experiments;

/// <summary>Turns an experiment's results into the HTML report's model.</summary>
public static class ExperimentReport
{
    public static ReportModel Build(ExperimentResult r)
    {
        var models = r.Models.Select(m => new ModelResult(m.Name, m.Role, m.TestAccuracy, m.Parameters, m.MicrosecondsPerSample, TimeSpan.FromSeconds(m.TrainingSeconds))
        {
            ExpectedCalibrationError = m.ExpectedCalibrationError,
            NegativeLogLikelihood = m.TestLoss,
        }).ToList();
        var curves = r.Models.Where(m => m.History.Count > 0).Select(m => new LearningCurve(m.Name,
            m.History.Select(h => new EpochPoint(h.Epoch, h.TrainLoss, Nan(h.ValidationLoss), h.TrainAccuracy, Nan(h.ValidationAccuracy))).ToList())).ToList();
        var confusions = r.Models.Where(m => m.Confusion.Length > 0).Select(m => new ConfusionReport(m.Name, r.ClassNames, m.Confusion)).ToList();
        var reliability = r.Models.Where(m => m.Reliability.Count > 0).Select(m => new ReliabilityReport(m.Name, m.Reliability, m.ExpectedCalibrationError)).ToList();
        var facts = new List<KeyValuePair<string, string>>
        {
            new("recipe", r.Recipe),
            new("paradigm", r.Paradigm),
            new("seed", r.Seed.ToString(CultureInfo.InvariantCulture)),
            new("started", r.StartedAt.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)),
        };
        if (r.RunId is { } id) facts.Add(new("run", id.ToString(CultureInfo.InvariantCulture)));
        if (r.GitCommit is { } c) facts.Add(new("commit", c[..Math.Min(12, c.Length)]));
        foreach (var (key, value) in r.Metrics) facts.Add(new(key, value.ToString("G4", CultureInfo.InvariantCulture)));
        var notes = r.Notes.ToList();
        if (r.Interrupted) notes.Insert(0, "This run was interrupted; the models below are those finished before it stopped.");
        return new ReportModel($"Feynman: {r.Recipe}", models, curves, confusions, reliability) { Facts = facts, Notes = notes };
    }

    private static double? Nan(double v) => double.IsNaN(v) ? null : v;
}
