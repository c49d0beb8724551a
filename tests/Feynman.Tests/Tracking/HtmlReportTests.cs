using System.Xml;
using System.Xml.Linq;
using Feynman.Data;
using Feynman.Tensors;
using Feynman.Tracking.Reports;
using Feynman.Training.Metrics;

namespace Feynman.Tests.Tracking;

public class HtmlReportTests
{
    private static readonly XNamespace XHtml = "http://www.w3.org/1999/xhtml";
    private static readonly XNamespace SvgNs = "http://www.w3.org/2000/svg";

    /// <summary>A report like quickstart's: a teacher and two students, with plausible numbers drawn from a seed.</summary>
    internal static ReportModel Sample()
    {
        var rng = new Generator(42);
        string[] names = ["CNN teacher", "MLP student", "MLP student (distilled)"];
        double[] finalAcc = [0.9183, 0.8712, 0.8894];
        var curves = names.Select((name, m) => new LearningCurve(name, [.. Enumerable.Range(1, 12).Select(e =>
        {
            double progress = 1 - Math.Exp(-e / 3.0);
            double acc = 0.7 + (finalAcc[m] - 0.7) * progress;
            return new EpochPoint(e, 0.9 - 0.6 * progress + 0.01 * rng.NextDouble(), 0.95 - 0.58 * progress + 0.02 * rng.NextDouble(),
                acc + 0.01 + 0.005 * rng.NextDouble(), e == 5 ? null : acc - 0.005 * rng.NextDouble());
        })])).ToList();

        var confusions = new List<ConfusionReport>();
        var reliability = new List<ReliabilityReport>();
        for (int m = 0; m < names.Length; m++)
        {
            // 2000 synthetic predictions: right with probability finalAcc, overconfident for the students.
            int n = 2000, c = 10;
            var probs = new float[n * c];
            var labels = new int[n];
            for (int i = 0; i < n; i++)
            {
                labels[i] = i % c;
                bool right = rng.NextDouble() < finalAcc[m] - (labels[i] == 6 ? 0.25 : 0);
                int predicted = right ? labels[i] : (labels[i] + 1 + rng.NextInt(c - 1)) % c;
                float top = (float)(0.35 + 0.65 * Math.Pow(rng.NextDouble(), m == 0 ? 0.3 : 0.15));
                for (int k = 0; k < c; k++) probs[i * c + k] = (1 - top) / (c - 1);
                probs[i * c + predicted] = top;
            }
            confusions.Add(new ConfusionReport(names[m], FashionMnist.ClassNames, Classification.Confusion(probs, c, labels).ToRows()));
            var bins = Classification.Reliability(probs, c, labels);
            reliability.Add(new ReliabilityReport(names[m], bins, Classification.ExpectedCalibrationError(bins)));
        }
        return new ReportModel("Quickstart: a CNN teaches an MLP",
            [
                new ModelResult(names[0], "teacher", 0.9183, 421_642, 183.4, TimeSpan.FromSeconds(251.3)) { ExpectedCalibrationError = 0.0123, NegativeLogLikelihood = 0.2311 },
                new ModelResult(names[1], "student (labels)", 0.8712, 79_510, 3.27, TimeSpan.FromSeconds(38.04)) { ExpectedCalibrationError = 0.0456 },
                new ModelResult(names[2], "student (distilled, T=4, α=0.1)", 0.8894, 79_510, 3.31, TimeSpan.FromSeconds(3725)),
            ],
            curves, confusions, reliability)
        {
            Facts = [new("run", "17"), new("recipe", "recipes/quickstart.yaml"), new("seed", "1"), new("commit", "0b6566a")],
            Notes = ["Distillation closed 39% of the gap between the student trained on labels and the teacher <&> \"quoted\"."],
        };
    }

    private static XDocument Parse(string html)
    {
        using var reader = XmlReader.Create(new StringReader(html), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        return XDocument.Load(reader);
    }

    [Fact]
    public void ReportIsWellFormedSelfContainedAndHasEverySection()
    {
        var model = Sample();
        var html = HtmlReport.Render(model);
        var doc = Parse(html); // throws if the markup is not well-formed XML
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/", ""));
        Assert.DoesNotContain("https://", html);
        Assert.Empty(doc.Descendants(XHtml + "script"));
        Assert.Empty(doc.Descendants(XHtml + "link"));
        Assert.Empty(doc.Descendants(XHtml + "img"));
        Assert.DoesNotContain("@import", html);
        Assert.DoesNotContain("url(", html);

        var svgs = doc.Descendants(SvgNs + "svg").Where(s => s.Attribute("role")?.Value == "img").ToList();
        Assert.Equal(2 + 3 + 3, svgs.Count); // loss + accuracy, 3 confusion matrices, 3 reliability diagrams
        Assert.All(svgs, s => Assert.NotNull(s.Attribute("viewBox")));
        // Each learning-curve chart draws a line per model and split; epoch 5's unmeasured validation accuracy is skipped.
        var accuracyChart = svgs[1];
        Assert.Equal(3 * 2, accuracyChart.Descendants(SvgNs + "polyline").Count());
        Assert.Equal(3 * 2 * 12 - 3, accuracyChart.Descendants(SvgNs + "circle").Count());
        // Confusion matrices: 100 cells each, every class name on both axes, counts summing to the samples.
        var confusion = svgs[2];
        Assert.Equal(100, confusion.Descendants(SvgNs + "rect").Count());
        foreach (var name in FashionMnist.ClassNames)
            Assert.Equal(2, confusion.Descendants(SvgNs + "text").Count(t => t.Value == name));
        long cellSum = confusion.Elements(SvgNs + "text").Where(t => t.Attribute("font-size") is not null).Sum(t => long.Parse(t.Value));
        Assert.Equal(2000, cellSum);
        // Reliability: the title carries the ECE; one accuracy bar per non-empty bin.
        var rel = model.Reliability[0];
        Assert.Contains($"ECE {HtmlReport.FormatRatio(rel.ExpectedCalibrationError)}", svgs[5].ToString());
        Assert.Equal(rel.Bins.Count(b => b.Count > 0), svgs[5].Descendants(SvgNs + "rect").Count(r => r.Attribute("fill-opacity")?.Value == "0.85"));
        // Text is escaped, not injected.
        Assert.Contains("&lt;&amp;&gt;", html);
    }

    [Fact]
    public void TableShowsEveryNumberOfEveryModel()
    {
        var model = Sample();
        var doc = Parse(HtmlReport.Render(model));
        var rows = doc.Descendants(XHtml + "tbody").Single().Elements(XHtml + "tr").ToList();
        Assert.Equal(model.Models.Count, rows.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            var m = model.Models[i];
            var cells = rows[i].Elements(XHtml + "td").Select(td => td.Value).ToList();
            Assert.Equal(8, cells.Count);
            Assert.Equal(m.Name, cells[0]);
            Assert.Equal(m.Role, cells[1]);
            Assert.Equal(HtmlReport.FormatAccuracy(m.Accuracy), cells[2]);
            Assert.Equal(HtmlReport.FormatCount(m.Parameters), cells[3]);
            Assert.Equal(HtmlReport.FormatMicroseconds(m.MicrosecondsPerSample), cells[4]);
            Assert.Equal(HtmlReport.FormatDuration(m.TrainingTime), cells[5]);
            Assert.Equal(m.ExpectedCalibrationError is { } e ? HtmlReport.FormatRatio(e) : "–", cells[6]);
            Assert.Equal(m.NegativeLogLikelihood is { } l ? HtmlReport.FormatRatio(l) : "–", cells[7]);
        }
        Assert.Equal("91.83%", HtmlReport.FormatAccuracy(0.9183));
        Assert.Equal("421,642", HtmlReport.FormatCount(421_642));
        Assert.Equal("3.27", HtmlReport.FormatMicroseconds(3.27));
        Assert.Equal("38.0 s", HtmlReport.FormatDuration(TimeSpan.FromSeconds(38.04)));
        Assert.Equal("4 min 11 s", HtmlReport.FormatDuration(TimeSpan.FromSeconds(251.3)));
        Assert.Equal("1 h 02 min", HtmlReport.FormatDuration(TimeSpan.FromSeconds(3725)));
        // The best accuracy is the bold one.
        Assert.Contains("best", rows[0].Elements(XHtml + "td").ElementAt(2).Attribute("class")!.Value);
    }

    [Fact]
    public void EmptySectionsAreLeftOutAndAMismatchedMatrixIsRejected()
    {
        var html = HtmlReport.Render(new ReportModel("empty", [], [], [], []));
        var doc = Parse(html);
        Assert.Empty(doc.Descendants(XHtml + "table"));
        Assert.Empty(doc.Descendants(SvgNs + "svg"));
        var bad = new ReportModel("bad", [], [], [new ConfusionReport("m", ["a", "b"], [[1, 2]])], []);
        var ex = Assert.Throws<ArgumentException>(() => HtmlReport.Render(bad));
        Assert.Contains("2 x 2", ex.Message);
    }

    [Fact]
    public void WriteCreatesTheFolderAndTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), "feynman-tests", Guid.NewGuid().ToString("N"), "out", "report.html");
        HtmlReport.Write(Sample(), path);
        Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(path));
        // Keep a copy where a person (or a screenshot) can look at it.
        File.Copy(path, Path.Combine(Path.GetTempPath(), "feynman-sample-report.html"), overwrite: true);
    }
}
