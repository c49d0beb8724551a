namespace Feynman.Autograd;

/// <summary>
/// Whether operations record themselves for backward. <c>using (GradMode.NoGrad())</c> turns it off
/// for inference and teacher forward passes (PyTorch's torch.no_grad()).
/// </summary>
public static class GradMode
{
    [ThreadStatic] private static int disabledDepth;
    [ThreadStatic] private static int anomalyDepth;

    public static bool IsEnabled => disabledDepth == 0;

    /// <summary>Whether anomaly detection is on: every recorded op's output, and every gradient, is checked for NaN and Inf.</summary>
    public static bool IsAnomalyDetectionEnabled => anomalyDepth > 0;

    public static Scope NoGrad()
    {
        disabledDepth++;
        return new Scope(static () => disabledDepth--);
    }

    /// <summary>Names the first operation whose output or gradient holds NaN or Inf (PyTorch's detect_anomaly).</summary>
    public static Scope DetectAnomaly()
    {
        anomalyDepth++;
        return new Scope(static () => anomalyDepth--);
    }

    /// <summary>Undoes one mode change when disposed.</summary>
    public readonly struct Scope(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }
}
