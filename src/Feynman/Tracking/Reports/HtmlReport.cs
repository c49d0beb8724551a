using System.Globalization;
using System.Text;

namespace Feynman.Tracking.Reports;

/// <summary>
/// Writes a <see cref="ReportModel"/> as one self-contained HTML file: inline CSS and SVG, no scripts,
/// fonts or other files, so it can be mailed or archived as is. The markup is well-formed XML (XHTML
/// syntax) so tests and tools can parse it.
/// </summary>
public static class HtmlReport
{
    public static void Write(ReportModel model, string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        File.WriteAllText(path, Render(model), new UTF8Encoding(false));
    }

    public static string Render(ReportModel model)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head><meta charset=\"utf-8\"/>");
        sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>");
        sb.Append($"<title>{Svg.Escape(model.Title)}</title><style>{Css}</style></head><body>");
        sb.Append($"<h1>{Svg.Escape(model.Title)}</h1>");
        if (model.Facts.Count > 0)
        {
            sb.Append("<dl class=\"facts\">");
            foreach (var (k, v) in model.Facts) sb.Append($"<div><dt>{Svg.Escape(k)}</dt><dd>{Svg.Escape(v)}</dd></div>");
            sb.Append("</dl>");
        }
        foreach (var note in model.Notes) sb.Append($"<p class=\"note\">{Svg.Escape(note)}</p>");

        var colors = ModelColors(model);
        if (model.Models.Count > 0) AppendTable(sb, model.Models);
        if (model.Curves.Count > 0) AppendCurves(sb, model.Curves, colors);
        if (model.Confusions.Count > 0)
        {
            sb.Append("<h2>Confusion matrices</h2><p class=\"caption\">Rows are the true class, columns the predicted class; shading is the share of the row, numbers are counts.</p><div class=\"figures\">");
            foreach (var c in model.Confusions) sb.Append("<figure>").Append(ConfusionSvg(c)).Append("</figure>");
            sb.Append("</div>");
        }
        if (model.Reliability.Count > 0)
        {
            sb.Append("<h2>Calibration</h2><p class=\"caption\">Bars: accuracy of the predictions whose confidence falls in each bin; red: the gap to the bin's mean confidence; the diagonal is perfect calibration. The strip below shows how many predictions fall in each bin.</p><div class=\"figures\">");
            foreach (var r in model.Reliability) sb.Append("<figure>").Append(ReliabilitySvg(r, colors.GetValueOrDefault(r.Model, Svg.Palette[0]))).Append("</figure>");
            sb.Append("</div>");
        }
        sb.Append($"<footer>Made by Feynman on {DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC.</footer>");
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    // ---------------------------------------------------------------- number formats (shared with the CLI tables)

    public static string FormatAccuracy(double accuracy) => (accuracy * 100).ToString("F2", CultureInfo.InvariantCulture) + "%";

    public static string FormatCount(long count) => count.ToString("N0", CultureInfo.InvariantCulture);

    public static string FormatMicroseconds(double microseconds) =>
        microseconds.ToString(microseconds < 10 ? "F2" : "F1", CultureInfo.InvariantCulture);

    public static string FormatDuration(TimeSpan t) =>
        t.TotalSeconds < 60 ? t.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s"
        : t.TotalHours < 1 ? $"{(int)t.TotalMinutes} min {t.Seconds:00} s"
        : $"{(int)t.TotalHours} h {t.Minutes:00} min";

    public static string FormatRatio(double value) => value.ToString("F4", CultureInfo.InvariantCulture);

    // ---------------------------------------------------------------- sections

    private static Dictionary<string, string> ModelColors(ReportModel model)
    {
        var names = model.Models.Select(m => m.Name).Concat(model.Curves.Select(c => c.Model))
            .Concat(model.Reliability.Select(r => r.Model)).Distinct().ToList();
        return names.Select((n, i) => (n, Svg.Palette[i % Svg.Palette.Length])).ToDictionary(p => p.n, p => p.Item2);
    }

    private static void AppendTable(StringBuilder sb, IReadOnlyList<ModelResult> models)
    {
        bool ece = models.Any(m => m.ExpectedCalibrationError is not null);
        bool nll = models.Any(m => m.NegativeLogLikelihood is not null);
        double best = models.Max(m => m.Accuracy);
        sb.Append("<h2>Teacher and students</h2><table><thead><tr><th>model</th><th>role</th><th class=\"num\">test accuracy</th><th class=\"num\">parameters</th><th class=\"num\">inference µs/sample</th><th class=\"num\">training time</th>");
        if (ece) sb.Append("<th class=\"num\">ECE</th>");
        if (nll) sb.Append("<th class=\"num\">NLL</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var m in models)
        {
            sb.Append($"<tr><td>{Svg.Escape(m.Name)}</td><td>{Svg.Escape(m.Role)}</td>");
            sb.Append($"<td class=\"num{(m.Accuracy == best ? " best" : "")}\">{FormatAccuracy(m.Accuracy)}</td>");
            sb.Append($"<td class=\"num\">{FormatCount(m.Parameters)}</td><td class=\"num\">{FormatMicroseconds(m.MicrosecondsPerSample)}</td><td class=\"num\">{FormatDuration(m.TrainingTime)}</td>");
            if (ece) sb.Append($"<td class=\"num\">{(m.ExpectedCalibrationError is { } e ? FormatRatio(e) : "–")}</td>");
            if (nll) sb.Append($"<td class=\"num\">{(m.NegativeLogLikelihood is { } l ? FormatRatio(l) : "–")}</td>");
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");
    }

    private static void AppendCurves(StringBuilder sb, IReadOnlyList<LearningCurve> curves, Dictionary<string, string> colors)
    {
        var loss = new LineChart("Loss", "loss", percent: false);
        var accuracy = new LineChart("Accuracy", "accuracy", percent: true);
        foreach (var c in curves)
        {
            string color = colors[c.Model];
            loss.Add(new(c.Model + " train", color, false, Points(c, p => p.TrainLoss)));
            loss.Add(new(c.Model + " validation", color, true, Points(c, p => p.ValidationLoss)));
            accuracy.Add(new(c.Model + " train", color, false, Points(c, p => p.TrainAccuracy)));
            accuracy.Add(new(c.Model + " validation", color, true, Points(c, p => p.ValidationAccuracy)));
        }
        sb.Append("<h2>Learning curves</h2><p class=\"caption\">Solid: training set; dashed: validation set.</p><div class=\"figures\">");
        sb.Append("<figure>").Append(loss.Render()).Append("</figure><figure>").Append(accuracy.Render()).Append("</figure></div>");
        // One legend for both charts: same colours and dashes in each.
        var legend = new LineChart("", "", false);
        foreach (var c in curves)
        {
            legend.Add(new(c.Model + " train", colors[c.Model], false, []));
            legend.Add(new(c.Model + " validation", colors[c.Model], true, []));
        }
        sb.Append(legend.Legend());
    }

    private static List<(int, double)> Points(LearningCurve c, Func<EpochPoint, double?> value) =>
        [.. c.Points.Where(p => value(p) is not null).Select(p => (p.Epoch, value(p)!.Value))];

    private static string ConfusionSvg(ConfusionReport c)
    {
        int n = c.ClassNames.Count;
        if (n == 0) throw new ArgumentException($"confusion matrix of {c.Model}: there are no class names.");
        if (c.Counts.Length != n || c.Counts.Any(r => r.Length != n))
            throw new ArgumentException($"confusion matrix of {c.Model}: counts must be {n} x {n} for {n} class names.");
        int cell = Math.Clamp(400 / Math.Max(n, 1), 14, 40);
        int labelW = 8 + (int)(6.3 * c.ClassNames.Max(s => s.Length)), labelH = (int)(labelW * 0.87);
        int top = 30 + labelH, left = labelW + 22;
        // Column labels are rotated 60°: the last one reaches about half its length right of its column.
        int width = left + n * cell + Math.Max(10, labelW / 2), height = top + n * cell + 30;
        long total = c.Counts.Sum(r => r.Sum()), diagonal = 0;
        for (int i = 0; i < n; i++) diagonal += c.Counts[i][i];
        var sb = new StringBuilder();
        sb.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"confusion matrix of {Svg.Escape(c.Model)}\">");
        string acc = total == 0 ? "" : $" (accuracy {FormatAccuracy((double)diagonal / total)})";
        sb.Append($"<text x=\"{width / 2}\" y=\"18\" text-anchor=\"middle\" class=\"title\">{Svg.Escape(c.Model)}{acc}</text>");
        for (int j = 0; j < n; j++)
        {
            double x = left + j * cell + cell / 2.0;
            sb.Append($"<text transform=\"translate({Svg.N(x + 4)} {top - 6}) rotate(-60)\" class=\"tick\">{Svg.Escape(c.ClassNames[j])}</text>");
        }
        sb.Append($"<text x=\"{left + n * cell / 2}\" y=\"{height - 8}\" text-anchor=\"middle\" class=\"label\">predicted</text>");
        sb.Append($"<text transform=\"translate(12 {top + n * cell / 2}) rotate(-90)\" text-anchor=\"middle\" class=\"label\">true class</text>");
        int fontSize = Math.Clamp(cell / 3, 7, 12);
        for (int i = 0; i < n; i++)
        {
            long rowTotal = c.Counts[i].Sum();
            double y = top + i * cell;
            sb.Append($"<text x=\"{left - 5}\" y=\"{Svg.N(y + cell / 2.0 + 4)}\" text-anchor=\"end\" class=\"tick\">{Svg.Escape(c.ClassNames[i])}</text>");
            for (int j = 0; j < n; j++)
            {
                long count = c.Counts[i][j];
                double share = rowTotal == 0 ? 0 : (double)count / rowTotal;
                var (r, g, b) = Blend(share, i == j);
                sb.Append($"<rect x=\"{left + j * cell}\" y=\"{Svg.N(y)}\" width=\"{cell}\" height=\"{cell}\" fill=\"rgb({r},{g},{b})\" stroke=\"#ffffff\" stroke-width=\"1\"><title>{Svg.Escape($"true {c.ClassNames[i]}, predicted {c.ClassNames[j]}: {count}")}</title></rect>");
                if (count > 0)
                    sb.Append($"<text x=\"{Svg.N(left + j * cell + cell / 2.0)}\" y=\"{Svg.N(y + cell / 2.0 + fontSize / 2.8)}\" text-anchor=\"middle\" font-size=\"{fontSize}\" style=\"fill:{(share > 0.45 ? "#ffffff" : "#222222")}\">{count}</text>");
            }
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    // White to blue on the diagonal (right), white to orange off it (mistakes), by share of the row.
    private static (int R, int G, int B) Blend(double share, bool diagonal)
    {
        double t = Math.Sqrt(Math.Clamp(share, 0, 1)); // sqrt so small confusions still show
        var (r, g, b) = diagonal ? (31, 95, 168) : (214, 96, 27);
        return ((int)(255 + (r - 255) * t), (int)(255 + (g - 255) * t), (int)(255 + (b - 255) * t));
    }

    private static string ReliabilitySvg(ReliabilityReport rel, string color)
    {
        const int size = 260, left = 52, top = 34, stripH = 40, gap = 14;
        int width = left + size + 16, height = top + size + gap + stripH + 40;
        double X(double v) => left + v * size;
        double Y(double v) => top + (1 - v) * size;
        var sb = new StringBuilder();
        sb.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"reliability diagram of {Svg.Escape(rel.Model)}\">");
        sb.Append($"<text x=\"{width / 2}\" y=\"20\" text-anchor=\"middle\" class=\"title\">{Svg.Escape(rel.Model)} (ECE {FormatRatio(rel.ExpectedCalibrationError)})</text>");
        for (int k = 0; k <= 5; k++)
        {
            double v = k / 5.0;
            sb.Append($"<line x1=\"{left}\" x2=\"{left + size}\" y1=\"{Svg.N(Y(v))}\" y2=\"{Svg.N(Y(v))}\" class=\"grid\"/>");
            sb.Append($"<text x=\"{left - 6}\" y=\"{Svg.N(Y(v) + 4)}\" text-anchor=\"end\" class=\"tick\">{Svg.Tick(v, 0.1)}</text>");
            sb.Append($"<text x=\"{Svg.N(X(v))}\" y=\"{top + size + gap + stripH + 14}\" text-anchor=\"middle\" class=\"tick\">{Svg.Tick(v, 0.1)}</text>");
        }
        foreach (var b in rel.Bins.Where(b => b.Count > 0))
        {
            double x = X(b.Lower) + 0.5, w = (b.Upper - b.Lower) * size - 1;
            sb.Append($"<rect x=\"{Svg.N(x)}\" y=\"{Svg.N(Y(b.Accuracy))}\" width=\"{Svg.N(w)}\" height=\"{Svg.N(b.Accuracy * size)}\" fill=\"{color}\" fill-opacity=\"0.85\"><title>{Svg.Escape($"confidence {b.Lower:F2}-{b.Upper:F2}: accuracy {b.Accuracy:F3}, mean confidence {b.Confidence:F3}, {b.Count} samples")}</title></rect>");
            double lo = Math.Min(b.Accuracy, b.Confidence), hi = Math.Max(b.Accuracy, b.Confidence);
            sb.Append($"<rect x=\"{Svg.N(x)}\" y=\"{Svg.N(Y(hi))}\" width=\"{Svg.N(w)}\" height=\"{Svg.N((hi - lo) * size)}\" fill=\"#c62f32\" fill-opacity=\"0.35\" stroke=\"#c62f32\" stroke-width=\"0.8\"/>");
        }
        sb.Append($"<line x1=\"{X(0)}\" y1=\"{Y(0)}\" x2=\"{X(1)}\" y2=\"{Y(1)}\" stroke=\"#444444\" stroke-width=\"1.2\" stroke-dasharray=\"5 4\"/>");
        sb.Append($"<rect x=\"{left}\" y=\"{top}\" width=\"{size}\" height=\"{size}\" class=\"frame\"/>");
        // Count strip: share of samples per bin.
        long total = rel.Bins.Sum(b => (long)b.Count);
        int stripTop = top + size + gap;
        sb.Append($"<rect x=\"{left}\" y=\"{stripTop}\" width=\"{size}\" height=\"{stripH}\" class=\"frame\"/>");
        int maxCount = rel.Bins.Count == 0 ? 0 : rel.Bins.Max(b => b.Count);
        foreach (var b in rel.Bins.Where(b => b.Count > 0))
        {
            double h = (double)b.Count / maxCount * (stripH - 2);
            sb.Append($"<rect x=\"{Svg.N(X(b.Lower) + 0.5)}\" y=\"{Svg.N(stripTop + stripH - h)}\" width=\"{Svg.N((b.Upper - b.Lower) * size - 1)}\" height=\"{Svg.N(h)}\" fill=\"#888888\"><title>{b.Count} of {total} samples</title></rect>");
        }
        sb.Append($"<text x=\"{left - 6}\" y=\"{stripTop + stripH / 2 + 4}\" text-anchor=\"end\" class=\"tick\">count</text>");
        sb.Append($"<text x=\"{left + size / 2}\" y=\"{height - 6}\" text-anchor=\"middle\" class=\"label\">confidence (largest probability)</text>");
        sb.Append($"<text transform=\"translate(14 {top + size / 2}) rotate(-90)\" text-anchor=\"middle\" class=\"label\">accuracy</text>");
        sb.Append("</svg>");
        return sb.ToString();
    }

    private const string Css = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1d2228;background:#ffffff;max-width:1140px;margin:24px auto;padding:0 20px;line-height:1.45}
        h1{font-size:26px;margin:0 0 10px}
        h2{font-size:19px;margin:30px 0 6px;border-bottom:1px solid #dde1e5;padding-bottom:4px}
        .facts{display:flex;flex-wrap:wrap;gap:4px 22px;margin:0 0 12px;font-size:13px;color:#4a525a}
        .facts div{display:flex;gap:6px}
        .facts dt{font-weight:600}
        .facts dd{margin:0;font-family:ui-monospace,"DejaVu Sans Mono",monospace}
        .note{font-size:16px;background:#f3f6f9;border-left:4px solid #1f5fa8;padding:8px 12px;margin:10px 0}
        .caption{font-size:13px;color:#5a626a;margin:2px 0 8px}
        table{border-collapse:collapse;font-size:14px;margin:6px 0}
        th,td{padding:6px 14px;border-bottom:1px solid #e3e6e9;text-align:left}
        th{background:#f3f5f7;font-weight:600}
        .num{text-align:right;font-variant-numeric:tabular-nums}
        .best{font-weight:700}
        .figures{display:flex;flex-wrap:wrap;gap:12px 24px;align-items:flex-start}
        figure{margin:0}
        .legend{display:flex;flex-wrap:wrap;gap:6px 18px;font-size:13px;margin:4px 0 0 58px}
        .legend span{display:inline-flex;align-items:center;gap:6px}
        svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;fill:#1d2228}
        svg .title{font-size:14px;font-weight:600}
        svg .tick{font-size:11px;fill:#4a525a}
        svg .label{font-size:12px;fill:#4a525a}
        svg .muted{font-size:13px;fill:#8a9299}
        svg .grid{stroke:#e6e9ec;stroke-width:1}
        svg .axis{stroke:#8a9299;stroke-width:1}
        svg .frame{fill:none;stroke:#8a9299;stroke-width:1}
        footer{margin:36px 0 12px;font-size:12px;color:#8a9299}
        """;
}
