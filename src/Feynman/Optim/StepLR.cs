namespace Feynman.Optim;

/// <summary>lr = initial · γ^⌊epoch / stepSize⌋ (torch.optim.lr_scheduler.StepLR).</summary>
public sealed class StepLR : LrScheduler
{
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1) : base(optimizer)
    {
        if (stepSize <= 0) throw new ArgumentOutOfRangeException(nameof(stepSize), $"step size must be positive, got {stepSize}.");
        StepSize = stepSize;
        Gamma = gamma;
        Apply();
    }

    public int StepSize { get; }

    public double Gamma { get; }

    public override double LearningRateAt(int epoch, double baseLearningRate) => baseLearningRate * Math.Pow(Gamma, epoch / StepSize);
}
