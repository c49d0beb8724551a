namespace Feynman.Optim;

/// <summary>
/// lr = ηmin + (initial − ηmin)·(1 + cos(π·epoch/Tmax))/2 (torch.optim.lr_scheduler.CosineAnnealingLR,
/// closed form; past Tmax it keeps following the cosine, as PyTorch's does).
/// </summary>
public sealed class CosineAnnealingLR : LrScheduler
{
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0) : base(optimizer)
    {
        if (tMax <= 0) throw new ArgumentOutOfRangeException(nameof(tMax), $"T_max must be positive, got {tMax}.");
        TMax = tMax;
        EtaMin = etaMin;
        Apply();
    }

    public int TMax { get; }

    public double EtaMin { get; }

    public override double LearningRateAt(int epoch, double baseLearningRate) =>
        EtaMin + (baseLearningRate - EtaMin) * (1 + Math.Cos(Math.PI * epoch / TMax)) / 2;
}
