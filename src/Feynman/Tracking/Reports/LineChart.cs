using System.Text;

namespace Feynman.Tracking.Reports;

/// <summary>An inline SVG line chart of series over integer epochs, with axes, grid and a legend.</summary>
internal sealed class LineChart(string title, string yLabel, bool percent)
{
    public sealed record Series(string Label, string Color, bool Dashed, IReadOnlyList<(int X, double Y)> Points);

    private readonly List<Series> series = [];

    public void Add(Series s) => series.Add(s);

    public string Render(int width = 540, int height = 330)
    {
        const int left = 58, right = 16, top = 34, bottom = 46;
        var points = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.Y)).ToList();
        var sb = new StringBuilder();
        sb.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{Svg.Escape(title)}\">");
        sb.Append($"<text x=\"{width / 2}\" y=\"20\" class=\"title\" text-anchor=\"middle\">{Svg.Escape(title)}</text>");
        if (points.Count == 0)
        {
            sb.Append($"<text x=\"{width / 2}\" y=\"{height / 2}\" text-anchor=\"middle\" class=\"muted\">no data</text></svg>");
            return sb.ToString();
        }
        int xMin = points.Min(p => p.X), xMax = Math.Max(points.Max(p => p.X), xMin + 1);
        var (yLow, yHigh, yStep) = Svg.NiceRange(points.Min(p => p.Y), points.Max(p => p.Y), 5);
        double plotW = width - left - right, plotH = height - top - bottom;
        double X(double x) => left + (x - xMin) / (xMax - xMin) * plotW;
        double Y(double y) => top + (1 - (y - yLow) / (yHigh - yLow)) * plotH;

        // Grid and y ticks.
        for (double v = yLow; v <= yHigh + yStep / 2; v += yStep)
        {
            string label = percent ? Svg.Tick(v * 100, yStep * 100) + "%" : Svg.Tick(v, yStep);
            sb.Append($"<line x1=\"{left}\" x2=\"{width - right}\" y1=\"{Svg.N(Y(v))}\" y2=\"{Svg.N(Y(v))}\" class=\"grid\"/>");
            sb.Append($"<text x=\"{left - 6}\" y=\"{Svg.N(Y(v) + 4)}\" text-anchor=\"end\" class=\"tick\">{label}</text>");
        }
        // x ticks at whole epochs, at most about 10 of them.
        int xStep = Math.Max(1, (int)Svg.NiceRange(0, xMax - xMin, 8).Step);
        for (int x = xMin; x <= xMax; x += xStep)
        {
            sb.Append($"<line x1=\"{Svg.N(X(x))}\" x2=\"{Svg.N(X(x))}\" y1=\"{top + plotH}\" y2=\"{top + plotH + 4}\" class=\"axis\"/>");
            sb.Append($"<text x=\"{Svg.N(X(x))}\" y=\"{top + plotH + 17}\" text-anchor=\"middle\" class=\"tick\">{x}</text>");
        }
        sb.Append($"<rect x=\"{left}\" y=\"{top}\" width=\"{Svg.N(plotW)}\" height=\"{Svg.N(plotH)}\" class=\"frame\"/>");
        sb.Append($"<text x=\"{left + plotW / 2}\" y=\"{height - 8}\" text-anchor=\"middle\" class=\"label\">epoch</text>");
        sb.Append($"<text transform=\"translate(14 {Svg.N(top + plotH / 2)}) rotate(-90)\" text-anchor=\"middle\" class=\"label\">{Svg.Escape(yLabel)}</text>");

        foreach (var s in series)
        {
            // Break the line where a value is missing.
            var segment = new List<string>();
            void Flush()
            {
                if (segment.Count > 1)
                    sb.Append($"<polyline points=\"{string.Join(" ", segment)}\" fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"2\"{(s.Dashed ? " stroke-dasharray=\"6 4\"" : "")}/>");
                segment.Clear();
            }
            foreach (var (x, y) in s.Points.OrderBy(p => p.X))
            {
                if (!double.IsFinite(y)) { Flush(); continue; }
                segment.Add($"{Svg.N(X(x))},{Svg.N(Y(y))}");
                sb.Append($"<circle cx=\"{Svg.N(X(x))}\" cy=\"{Svg.N(Y(y))}\" r=\"2.5\" fill=\"{s.Color}\"/>");
            }
            Flush();
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    /// <summary>An HTML legend for the series (text wraps better in HTML than in SVG).</summary>
    public string Legend()
    {
        var sb = new StringBuilder("<div class=\"legend\">");
        foreach (var s in series)
            sb.Append($"<span><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"28\" height=\"10\"><line x1=\"0\" y1=\"5\" x2=\"28\" y2=\"5\" stroke=\"{s.Color}\" stroke-width=\"2.5\"{(s.Dashed ? " stroke-dasharray=\"6 4\"" : "")}/></svg>{Svg.Escape(s.Label)}</span>");
        return sb.Append("</div>").ToString();
    }
}
