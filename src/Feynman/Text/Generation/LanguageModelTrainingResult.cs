namespace Feynman.Text.Generation;

/// <summary>What a training run did: <paramref name="StepsDone"/> is below the budget when it was cancelled;
/// <paramref name="Losses"/> holds every step's loss (nats per byte), <paramref name="Tokens"/> the scored targets.</summary>
public sealed record LanguageModelTrainingResult(int StepsDone, IReadOnlyList<double> Losses, long Tokens, TimeSpan Elapsed)
{
    /// <summary>Mean loss over the last tenth of the steps (at least one), or NaN when no step ran.</summary>
    public double FinalLoss => Losses.Count == 0 ? double.NaN : Losses.Skip(Losses.Count - Math.Max(1, Losses.Count / 10)).Average();
}
