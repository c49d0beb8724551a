namespace Feynman.Optim;

/// <summary>
/// Linear warm-up before another schedule: for the first <see cref="WarmupSteps"/> steps
/// lr = initial·(s + (1 − s)·epoch/warmup) (PyTorch's LinearLR from start factor s to 1), then the wrapped
/// schedule from its own step 0 (PyTorch's SequentialLR([LinearLR, inner], milestones=[warmup])).
/// Step only the warm-up: it sets the rates, the wrapped schedule supplies the formula.
/// </summary>
public sealed class LinearWarmup : LrScheduler
{
    public LinearWarmup(LrScheduler inner, int warmupSteps, double startFactor = 1.0 / 3) : base(Require(inner).Optimizer)
    {
        if (warmupSteps <= 0) throw new ArgumentOutOfRangeException(nameof(warmupSteps), $"warm-up steps must be positive, got {warmupSteps}.");
        if (startFactor is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(startFactor), $"start factor must be in [0, 1], got {startFactor}.");
        Inner = inner;
        WarmupSteps = warmupSteps;
        StartFactor = startFactor;
        Apply();
    }

    public LrScheduler Inner { get; }

    public int WarmupSteps { get; }

    public double StartFactor { get; }

    public override double LearningRateAt(int epoch, double baseLearningRate) => epoch < WarmupSteps
        ? baseLearningRate * (StartFactor + (1 - StartFactor) * epoch / WarmupSteps)
        : Inner.LearningRateAt(epoch - WarmupSteps, baseLearningRate);

    private static LrScheduler Require(LrScheduler inner) => inner ?? throw new ArgumentNullException(nameof(inner));
}
