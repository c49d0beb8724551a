using Feynman.Autograd;
using Feynman.Tensors;

namespace Feynman.Nn;

/// <summary>
/// y = x·Wᵀ + b with W of shape [out, in] (torch.nn.Linear). Initialised as PyTorch does:
/// kaiming_uniform with a = √5 for the weight, which is U(−1/√in, 1/√in), and the same bound for the bias.
/// </summary>
public sealed class Linear : Module
{
    public Linear(int inFeatures, int outFeatures, bool bias = true, Generator? rng = null)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new ArgumentOutOfRangeException(nameof(inFeatures), $"Linear needs positive sizes, got in_features={inFeatures}, out_features={outFeatures}.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        rng ??= Generator.Default;
        Weight = RegisterParameter("weight", TensorScope.Outside(() => Tensor.Empty(outFeatures, inFeatures)));
        Init.KaimingUniform(Weight, a: Math.Sqrt(5), rng: rng);
        Bias = RegisterParameterOrNull("bias", bias ? TensorScope.Outside(() => Tensor.Empty(outFeatures)) : null);
        if (Bias is not null)
        {
            var (fanIn, _) = Init.CalculateFanInAndFanOut(Weight);
            double bound = fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : 0;
            Init.Uniform(Bias, -bound, bound, rng);
        }
    }

    public int InFeatures { get; }

    public int OutFeatures { get; }

    /// <summary>[out_features, in_features].</summary>
    public Tensor Weight { get; }

    /// <summary>[out_features], or null when created with bias: false.</summary>
    public Tensor? Bias { get; }

    public override Tensor Forward(Tensor x) => Ops.Linear(x, Weight, Bias);

    protected override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}, bias={Py(Bias is not null)}";
}
