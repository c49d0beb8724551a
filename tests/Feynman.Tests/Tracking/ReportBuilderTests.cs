using Feynman.Tracking;
using Feynman.Tracking.Reports;

namespace Feynman.Tests.Tracking;

public class ReportBuilderTests
{
    private static RunStore TempStore() => RunStore.Open(Path.Combine(Path.GetTempPath(), "feynman-tests", Guid.NewGuid().ToString("N"), "f.db"));

    [Fact]
    public void ReportModelSurvivesAJsonRoundTripIncludingEmptyBins()
    {
        var model = HtmlReportTests.Sample();
        var back = ReportJson.Deserialize(ReportJson.Serialize(model));
        Assert.Equal(model.Title, back.Title);
        Assert.Equal(model.Models, back.Models);
        Assert.Equal(model.Facts, back.Facts);
        Assert.Equal(model.Notes, back.Notes);
        Assert.Equal(model.Curves.Select(c => c.Points.Count), back.Curves.Select(c => c.Points.Count));
        Assert.Equal(model.Curves[1].Points, back.Curves[1].Points);
        Assert.Equal(model.Confusions[2].Counts, back.Confusions[2].Counts);
        Assert.Equal(model.Reliability[0].Bins, back.Reliability[0].Bins); // NaN == NaN for record structs of doubles
        Assert.Contains(back.Reliability[0].Bins, b => double.IsNaN(b.Accuracy));
        // Rendering the copy gives the same page (up to the time stamp in the footer).
        static string Body(string html) => html[..html.IndexOf("<footer>", StringComparison.Ordinal)];
        Assert.Equal(Body(HtmlReport.Render(model)), Body(HtmlReport.Render(back)));
    }

    [Fact]
    public void SavedReportDocumentIsUsedAndRunFactsAreAdded()
    {
        using var store = TempStore();
        using var run = store.StartRun("quickstart", seed: 5);
        run.SaveDocument(ReportJson.DocumentName, ReportJson.Serialize(HtmlReportTests.Sample()));
        run.Finish(RunStatus.Finished);
        var report = ReportBuilder.FromRun(store, run.Id);
        Assert.Equal("Quickstart: a CNN teaches an MLP", report.Title);
        Assert.Equal(3, report.Confusions.Count);
        var facts = report.Facts.ToDictionary(f => f.Key, f => f.Value);
        Assert.Equal(run.Id.ToString(), facts["run"]);
        Assert.Equal("finished", facts["status"]);
        Assert.Equal("5", facts["seed"]);
        Assert.Equal("recipes/quickstart.yaml", facts["recipe"]); // kept from the saved model
        Assert.Throws<ArgumentException>(() => run.SaveDocument("bad", "{"));
        Assert.Null(store.GetDocument(run.Id, "bad"));
    }

    [Fact]
    public void WithoutADocumentTheTableAndCurvesComeFromTheMetrics()
    {
        using var store = TempStore();
        using var run = store.StartRun("from-metrics");
        for (int e = 1; e <= 3; e++)
        {
            run.LogEpoch("teacher", e, new Dictionary<string, double> { [MetricKeys.TrainLoss] = 1.0 / e, [MetricKeys.ValidationAccuracy] = 0.8 + e / 100.0 });
            run.LogEpoch("student", e, MetricKeys.TrainLoss, 2.0 / e);
        }
        run.LogMetric(MetricKeys.TestAccuracy, 0.91, "teacher");
        run.LogMetric(MetricKeys.Parameters, 421642, "teacher");
        run.LogMetric(MetricKeys.MicrosecondsPerSample, 150.5, "teacher");
        run.LogMetric(MetricKeys.TrainSeconds, 90, "teacher");
        run.LogMetric(MetricKeys.ExpectedCalibrationError, 0.02, "teacher");
        run.LogMetric(MetricKeys.TestAccuracy, 0.87, "student");
        run.Finish(RunStatus.Finished);
        var report = ReportBuilder.FromRun(store, run.Id);
        Assert.Equal(["teacher", "student"], report.Models.Select(m => m.Role).Order().Reverse());
        var teacher = report.Models.Single(m => m.Name == "teacher");
        Assert.Equal(new ModelResult("teacher", "teacher", 0.91, 421642, 150.5, TimeSpan.FromSeconds(90)) { ExpectedCalibrationError = 0.02 }, teacher);
        var curve = report.Curves.Single(c => c.Model == "teacher");
        Assert.Equal([.. Enumerable.Range(1, 3).Select(e => new EpochPoint(e, 1.0 / e, null, null, 0.8 + e / 100.0))], curve.Points);
        Assert.Equal(3, report.Curves.Single(c => c.Model == "student").Points.Count);
        // And it renders.
        Assert.Contains("91.00%", HtmlReport.Render(report));
    }
}
