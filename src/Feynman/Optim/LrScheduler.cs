namespace Feynman.Optim;

/// <summary>
/// A learning-rate schedule bound to an optimizer, as torch.optim.lr_scheduler: <see cref="Step"/>
/// advances the epoch (or step) counter and sets every group's rate to the closed-form
/// <see cref="LearningRateAt"/> of its initial rate. Derived constructors end with <see cref="Apply"/>.
/// </summary>
public abstract class LrScheduler
{
    protected LrScheduler(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        foreach (var g in optimizer.ParamGroups)
            if (double.IsNaN(g.InitialLearningRate)) g.InitialLearningRate = g.LearningRate;
    }

    public Optimizer Optimizer { get; }

    /// <summary>Steps taken so far; setting it (when resuming) applies that step's rates.</summary>
    public int LastEpoch
    {
        get => lastEpoch;
        set
        {
            if (value < 0) throw new ArgumentOutOfRangeException(nameof(value), $"epoch {value} is negative.");
            lastEpoch = value;
            Apply();
        }
    }

    private int lastEpoch;

    /// <summary>The rate at <paramref name="epoch"/> for a group whose initial rate is <paramref name="baseLearningRate"/>.</summary>
    public abstract double LearningRateAt(int epoch, double baseLearningRate);

    /// <summary>Advances one step (call after optimizer.Step(), as in PyTorch).</summary>
    public void Step()
    {
        lastEpoch++;
        Apply();
    }

    /// <summary>The rates the optimizer's groups have now.</summary>
    public IReadOnlyList<double> LastLearningRates => Optimizer.ParamGroups.Select(g => g.LearningRate).ToArray();

    /// <summary>Sets every group's rate for <see cref="LastEpoch"/>.</summary>
    protected void Apply()
    {
        foreach (var g in Optimizer.ParamGroups) g.LearningRate = LearningRateAt(lastEpoch, g.InitialLearningRate);
    }
}
