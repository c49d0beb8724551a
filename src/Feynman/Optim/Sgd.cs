using Feynman.Tensors;

namespace Feynman.Optim;

/// <summary>
/// Stochastic gradient descent exactly as torch.optim.SGD: d = g + wd·p; with momentum μ the buffer
/// starts as d on the first step, then b = μ·b + (1 − dampening)·d; Nesterov uses d + μ·b, plain momentum b;
/// p −= lr·d. One fused pass per tensor.
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly Tensor?[] momentumBuffers;

    public Sgd(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
        : this(OneGroup(parameters), lr, momentum, dampening, weightDecay, nesterov)
    {
    }

    public Sgd(IEnumerable<ParamGroup> paramGroups, double lr, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
        : base(paramGroups, lr, weightDecay)
    {
        if (momentum < 0) throw new ArgumentOutOfRangeException(nameof(momentum), $"invalid momentum {momentum}.");
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException("Nesterov momentum requires a momentum and zero dampening.");
        Momentum = momentum;
        Dampening = dampening;
        Nesterov = nesterov;
        momentumBuffers = new Tensor?[Parameters.Count];
    }

    public double Momentum { get; private set; }

    public double Dampening { get; private set; }

    public bool Nesterov { get; private set; }

    protected override void Update(int index, Span<float> parameter, ReadOnlySpan<float> gradient, ParamGroup group)
    {
        bool first = false;
        Span<float> buffer = default;
        if (Momentum != 0)
        {
            if (momentumBuffers[index] is null)
            {
                momentumBuffers[index] = NewStateBuffer(index);
                first = true;
            }
            buffer = momentumBuffers[index]!.Span;
        }
        UpdateKernels.Sgd(parameter, gradient, buffer, first, (float)group.LearningRate, (float)group.WeightDecay,
                          (float)Momentum, (float)Dampening, Nesterov);
    }

    protected override IEnumerable<KeyValuePair<string, double>> GetHyperparameters() =>
    [
        new("momentum", Momentum),
        new("dampening", Dampening),
        new("nesterov", Nesterov ? 1 : 0),
    ];

    protected override void SetHyperparameters(IReadOnlyDictionary<string, double> values)
    {
        Momentum = Get(values, "momentum", Momentum);
        Dampening = Get(values, "dampening", Dampening);
        Nesterov = Get(values, "nesterov", Nesterov ? 1 : 0) != 0;
    }

    protected override void ExportState(int index, Dictionary<string, Tensor> tensors, Dictionary<string, double> scalars)
    {
        if (momentumBuffers[index] is { } b) tensors["momentum_buffer"] = b;
    }

    protected override void ImportState(int index, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, double> scalars)
    {
        momentumBuffers[index]?.Dispose();
        momentumBuffers[index] = tensors.TryGetValue("momentum_buffer", out var b) ? CopyState(b) : null;
    }
}
