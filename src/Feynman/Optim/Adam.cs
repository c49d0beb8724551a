using Feynman.Tensors;

namespace Feynman.Optim;

/// <summary>
/// Adam exactly as torch.optim.Adam, optionally with AMSGrad: weight decay is added to the gradient (L2),
/// moments with bias correction, eps added outside the square root:
/// p −= lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + eps). One fused pass per tensor.
/// </summary>
public class Adam : Optimizer
{
    private readonly Tensor?[] expAvg;
    private readonly Tensor?[] expAvgSq;
    private readonly Tensor?[] maxExpAvgSq;
    private readonly long[] steps;

    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0, bool amsgrad = false)
        : this(OneGroup(parameters), lr, beta1, beta2, eps, weightDecay, amsgrad)
    {
    }

    public Adam(IEnumerable<ParamGroup> paramGroups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0, bool amsgrad = false)
        : base(paramGroups, lr, weightDecay)
    {
        if (beta1 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), $"invalid beta1 {beta1} (needs 0 ≤ β1 < 1).");
        if (beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta2), $"invalid beta2 {beta2} (needs 0 ≤ β2 < 1).");
        if (eps < 0) throw new ArgumentOutOfRangeException(nameof(eps), $"invalid eps {eps}.");
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        AmsGrad = amsgrad;
        maxExpAvgSq = new Tensor?[Parameters.Count];
        expAvg = new Tensor?[Parameters.Count];
        expAvgSq = new Tensor?[Parameters.Count];
        steps = new long[Parameters.Count];
    }

    public double Beta1 { get; private set; }

    public double Beta2 { get; private set; }

    public double Eps { get; private set; }

    /// <summary>Whether the denominator uses the running maximum of the second moment (Reddi et al. 2018).</summary>
    public bool AmsGrad { get; private set; }

    /// <summary>Whether weight decay is decoupled from the gradient (AdamW) rather than added to it (Adam).</summary>
    protected virtual bool DecoupledWeightDecay => false;

    /// <summary>How many updates parameter <paramref name="index"/> has had.</summary>
    public long StepCount(int index) => steps[index];

    protected override void Update(int index, Span<float> parameter, ReadOnlySpan<float> gradient, ParamGroup group)
    {
        if (expAvg[index] is null)
        {
            expAvg[index] = NewStateBuffer(index);
            expAvgSq[index] = NewStateBuffer(index);
        }
        if (AmsGrad) maxExpAvgSq[index] ??= NewStateBuffer(index);
        long step = ++steps[index];
        double lr = group.LearningRate, wd = group.WeightDecay;
        // Scalars in double, as PyTorch computes them from Python floats.
        double biasCorrection1 = 1 - Math.Pow(Beta1, step);
        double biasCorrection2 = 1 - Math.Pow(Beta2, step);
        double stepSize = lr / biasCorrection1;
        float decay = DecoupledWeightDecay ? (float)(1 - lr * wd) : 1f;
        float l2 = DecoupledWeightDecay ? 0f : (float)wd;
        UpdateKernels.Adam(parameter, gradient, expAvg[index]!.Span, expAvgSq[index]!.Span,
                           AmsGrad ? maxExpAvgSq[index]!.Span : default, decay, l2,
                           (float)Beta1, (float)Beta2, (float)stepSize, (float)Math.Sqrt(biasCorrection2), (float)Eps);
    }

    protected override IEnumerable<KeyValuePair<string, double>> GetHyperparameters() =>
    [
        new("beta1", Beta1),
        new("beta2", Beta2),
        new("eps", Eps),
        new("amsgrad", AmsGrad ? 1 : 0),
    ];

    protected override void SetHyperparameters(IReadOnlyDictionary<string, double> values)
    {
        Beta1 = Get(values, "beta1", Beta1);
        Beta2 = Get(values, "beta2", Beta2);
        Eps = Get(values, "eps", Eps);
        AmsGrad = Get(values, "amsgrad", AmsGrad ? 1 : 0) != 0;
    }

    protected override void ExportState(int index, Dictionary<string, Tensor> tensors, Dictionary<string, double> scalars)
    {
        if (expAvg[index] is null) return;
        tensors["exp_avg"] = expAvg[index]!;
        tensors["exp_avg_sq"] = expAvgSq[index]!;
        if (maxExpAvgSq[index] is { } max) tensors["max_exp_avg_sq"] = max;
        scalars["step"] = steps[index];
    }

    protected override void ImportState(int index, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, double> scalars)
    {
        expAvg[index]?.Dispose();
        expAvgSq[index]?.Dispose();
        maxExpAvgSq[index]?.Dispose();
        maxExpAvgSq[index] = tensors.TryGetValue("max_exp_avg_sq", out var max) ? CopyState(max) : null;
        bool hasM = tensors.TryGetValue("exp_avg", out var m), hasV = tensors.TryGetValue("exp_avg_sq", out var v);
        if (hasM != hasV) throw new ArgumentException($"{Kind} state of parameter {index} has only one of exp_avg and exp_avg_sq.");
        expAvg[index] = hasM ? CopyState(m!) : null;
        expAvgSq[index] = hasV ? CopyState(v!) : null;
        steps[index] = scalars.TryGetValue("step", out var s) ? (long)s : 0;
        if (hasM && steps[index] <= 0) throw new ArgumentException($"{Kind} state of parameter {index} has moments but no step count.");
    }
}
