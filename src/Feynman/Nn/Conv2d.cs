using Feynman.Autograd;
using Feynman.Tensors;

namespace Feynman.Nn;

/// <summary>
/// 2-D convolution over [N, C, H, W] (torch.nn.Conv2d) with a weight [out, in/groups, k, k] and a bias [out].
/// Initialised as PyTorch does: kaiming_uniform with a = √5 for the weight (U(−1/√fan_in, 1/√fan_in))
/// and the same bound for the bias, where fan_in = in/groups·k·k.
/// </summary>
public sealed class Conv2d : Module
{
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1,
                  bool bias = true, Generator? rng = null)
    {
        if (inChannels <= 0 || outChannels <= 0 || kernelSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(inChannels), $"Conv2d needs positive sizes, got in_channels={inChannels}, out_channels={outChannels}, kernel_size={kernelSize}.");
        if (stride <= 0 || dilation <= 0 || padding < 0)
            throw new ArgumentOutOfRangeException(nameof(stride), $"Conv2d needs stride ≥ 1, dilation ≥ 1 and padding ≥ 0, got stride={stride}, padding={padding}, dilation={dilation}.");
        if (groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv2d: in_channels={inChannels} and out_channels={outChannels} must both be divisible by groups={groups}.");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Dilation = dilation;
        Groups = groups;
        rng ??= Generator.Default;
        Weight = RegisterParameter("weight", TensorScope.Outside(() => Tensor.Empty(outChannels, inChannels / groups, kernelSize, kernelSize)));
        Init.KaimingUniform(Weight, a: Math.Sqrt(5), rng: rng);
        Bias = RegisterParameterOrNull("bias", bias ? TensorScope.Outside(() => Tensor.Empty(outChannels)) : null);
        if (Bias is not null)
        {
            var (fanIn, _) = Init.CalculateFanInAndFanOut(Weight);
            double bound = fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : 0;
            Init.Uniform(Bias, -bound, bound, rng);
        }
    }

    public int InChannels { get; }

    public int OutChannels { get; }

    public int KernelSize { get; }

    public int Stride { get; }

    public int Padding { get; }

    public int Dilation { get; }

    public int Groups { get; }

    /// <summary>[out_channels, in_channels/groups, kernel, kernel].</summary>
    public Tensor Weight { get; }

    /// <summary>[out_channels], or null when created with bias: false.</summary>
    public Tensor? Bias { get; }

    public override Tensor Forward(Tensor x)
    {
        if (x.Rank != 4 || x.Shape[1] != InChannels)
            throw new ArgumentException($"Conv2d({InChannels}, {OutChannels}): expected input [N, {InChannels}, H, W], got {x.ShapeString}.");
        return Ops.Conv2d(x, Weight, Bias, Stride, Padding, Dilation, Groups);
    }

    protected override string ExtraRepr()
    {
        var s = $"{InChannels}, {OutChannels}, kernel_size=({KernelSize}, {KernelSize}), stride=({Stride}, {Stride})";
        if (Padding != 0) s += $", padding=({Padding}, {Padding})";
        if (Dilation != 1) s += $", dilation=({Dilation}, {Dilation})";
        if (Groups != 1) s += $", groups={Groups}";
        if (Bias is null) s += ", bias=False";
        return s;
    }
}
