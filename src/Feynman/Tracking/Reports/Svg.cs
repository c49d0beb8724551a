using System.Globalization;
using System.Text;

namespace Feynman.Tracking.Reports;

/// <summary>Small helpers for writing well-formed SVG/XHTML by hand.</summary>
internal static class Svg
{
    public static readonly string[] Palette = ["#1f5fa8", "#e0701b", "#2e9a3a", "#c62f32", "#7a52b3", "#8c564b", "#d052a8", "#5f6b73"];

    public static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
            sb.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        return sb.ToString();
    }

    /// <summary>A coordinate with at most two decimals, invariant culture.</summary>
    public static string N(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>About <paramref name="count"/> round tick values (steps of 1, 2 or 5 x 10^k) covering [min, max].</summary>
    public static (double Low, double High, double Step) NiceRange(double min, double max, int count = 5)
    {
        if (!(max > min)) { max = min + 1; min -= 0; }
        double raw = (max - min) / count;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double residual = raw / magnitude;
        double step = (residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10) * magnitude;
        return (Math.Floor(min / step + 1e-9) * step, Math.Ceiling(max / step - 1e-9) * step, step);
    }

    /// <summary>A tick label without float noise (0.30000000000000004 → 0.3).</summary>
    public static string Tick(double v, double step)
    {
        int decimals = Math.Max(0, (int)Math.Ceiling(-Math.Log10(step) - 1e-9));
        return Math.Round(v, decimals).ToString("F" + decimals, CultureInfo.InvariantCulture);
    }
}
