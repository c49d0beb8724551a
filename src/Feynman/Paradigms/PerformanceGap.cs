namespace Feynman.Paradigms;

/// <summary>Weak-to-strong's measure (Burns et al. 2023).</summary>
public static class PerformanceGap
{
    /// <summary>
    /// Performance gap recovered: (method − weak) / (ceiling − weak). 0 means the strong student only copies
    /// its weak supervisor, 1 that it reaches the ceiling trained on true labels. NaN when the ceiling is
    /// not above the weak model (there is no gap).
    /// </summary>
    public static double Recovered(double weakAccuracy, double ceilingAccuracy, double methodAccuracy)
    {
        double gap = ceilingAccuracy - weakAccuracy;
        return gap > 0 ? (methodAccuracy - weakAccuracy) / gap : double.NaN;
    }
}
