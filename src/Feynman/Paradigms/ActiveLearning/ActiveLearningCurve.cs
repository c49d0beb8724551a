namespace Feynman.Paradigms.ActiveLearning;

/// <summary>The learning curve of one strategy with one seed (or the mean over seeds): test accuracy against labels.</summary>
public sealed record ActiveLearningCurve(string Strategy, ulong Seed, IReadOnlyList<ActiveLearningPoint> Points)
{
    public bool Interrupted { get; init; }

    /// <summary>Accuracy at the most labels reached.</summary>
    public double FinalAccuracy => Points.Count > 0 ? Points[^1].TestAccuracy : double.NaN;
}
