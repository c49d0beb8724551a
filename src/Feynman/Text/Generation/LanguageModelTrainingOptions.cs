namespace Feynman.Text.Generation;

/// <summary>How <see cref="LanguageModelTrainer"/> trains a <see cref="ByteLanguageModel"/>: a budget in steps of
/// <see cref="BatchSize"/> random windows, AdamW with linear warm-up then cosine decay, gradient clipping.</summary>
public sealed record LanguageModelTrainingOptions
{
    public int Steps { get; init; } = 1000;

    /// <summary>Windows per step; each is one context length of tokens.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Window length in tokens (class token included); 0 uses the model's context length.</summary>
    public int WindowLength { get; init; }

    public double LearningRate { get; init; } = 2e-3;

    /// <summary>The learning rate the cosine decay ends at, as a fraction of <see cref="LearningRate"/>.</summary>
    public double FinalLearningRateFraction { get; init; } = 0.1;

    public int WarmupSteps { get; init; } = 50;

    public double WeightDecay { get; init; } = 0.01;

    /// <summary>Gradient norm cap (0 turns clipping off).</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>
    /// Fraction of windows that begin at an example's start. Random offsets cover long mails evenly, but starts are what
    /// sampling begins with, and a long corpus would otherwise show the model few of them.
    /// </summary>
    public double StartWindowFraction { get; init; } = 0.25;

    public int Seed { get; init; }

    /// <summary>Steps between progress reports.</summary>
    public int ReportEvery { get; init; } = 50;

    public void Validate()
    {
        if (Steps < 0) throw new ArgumentOutOfRangeException(nameof(Steps), $"steps must be >= 0, got {Steps}.");
        if (BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), $"batch size must be positive, got {BatchSize}.");
        if (WindowLength != 0 && WindowLength < 3) throw new ArgumentOutOfRangeException(nameof(WindowLength), $"window length must be 0 (the context length) or at least 3, got {WindowLength}.");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), $"learning rate must be positive, got {LearningRate}.");
        if (!(FinalLearningRateFraction >= 0 && FinalLearningRateFraction <= 1)) throw new ArgumentOutOfRangeException(nameof(FinalLearningRateFraction), $"final learning-rate fraction must be in [0, 1], got {FinalLearningRateFraction}.");
        if (WarmupSteps < 0) throw new ArgumentOutOfRangeException(nameof(WarmupSteps), $"warm-up steps must be >= 0, got {WarmupSteps}.");
        if (!(WeightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), $"weight decay must be >= 0, got {WeightDecay}.");
        if (!(MaxGradNorm >= 0)) throw new ArgumentOutOfRangeException(nameof(MaxGradNorm), $"max gradient norm must be >= 0, got {MaxGradNorm}.");
        if (!(StartWindowFraction >= 0 && StartWindowFraction <= 1)) throw new ArgumentOutOfRangeException(nameof(StartWindowFraction), $"start-window fraction must be in [0, 1], got {StartWindowFraction}.");
        if (ReportEvery <= 0) throw new ArgumentOutOfRangeException(nameof(ReportEvery), $"report interval must be positive, got {ReportEvery}.");
    }
}
