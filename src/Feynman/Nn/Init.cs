using Feynman.Tensors;

namespace Feynman.Nn;

/// <summary>
/// Parameter initialisers, as torch.nn.init: each fills a tensor in place (outside autograd) and
/// returns it. Fan-in and fan-out are computed as PyTorch does: dimension 1 and 0 times the product of
/// the remaining (receptive field) dimensions. Nonlinearity names are PyTorch's ("relu", "leaky_relu", "tanh", ...).
/// </summary>
public static class Init
{
    /// <summary>(fan_in, fan_out) of a weight of rank ≥ 2, as torch.nn.init._calculate_fan_in_and_fan_out.</summary>
    public static (int FanIn, int FanOut) CalculateFanInAndFanOut(Tensor tensor)
    {
        if (tensor.Rank < 2)
            throw new ArgumentException($"fan in and fan out cannot be computed for a tensor with fewer than 2 dimensions ({tensor.ShapeString}).");
        int receptive = 1;
        for (int d = 2; d < tensor.Rank; d++) receptive *= tensor.Shape[d];
        return (tensor.Shape[1] * receptive, tensor.Shape[0] * receptive);
    }

    /// <summary>The recommended gain for a nonlinearity (torch.nn.init.calculate_gain).</summary>
    public static double CalculateGain(string nonlinearity, double? param = null) => nonlinearity switch
    {
        "linear" or "conv1d" or "conv2d" or "conv3d" or "conv_transpose1d" or "conv_transpose2d" or "conv_transpose3d" or "sigmoid" => 1.0,
        "tanh" => 5.0 / 3,
        "relu" => Math.Sqrt(2.0),
        "leaky_relu" => Math.Sqrt(2.0 / (1 + Math.Pow(param ?? 0.01, 2))),
        "selu" => 3.0 / 4,
        _ => throw new ArgumentException($"unsupported nonlinearity '{nonlinearity}' (expected linear, conv*, sigmoid, tanh, relu, leaky_relu or selu).", nameof(nonlinearity)),
    };

    public static Tensor Uniform(Tensor tensor, double low = 0, double high = 1, Generator? rng = null)
    {
        (rng ?? Generator.Default).FillUniform(Values(tensor), (float)low, (float)high);
        return tensor;
    }

    public static Tensor Normal(Tensor tensor, double mean = 0, double std = 1, Generator? rng = null)
    {
        (rng ?? Generator.Default).FillNormal(Values(tensor), (float)mean, (float)std);
        return tensor;
    }

    public static Tensor Constant(Tensor tensor, double value)
    {
        Values(tensor).Fill((float)value);
        return tensor;
    }

    public static Tensor Zeros(Tensor tensor) => Constant(tensor, 0);

    public static Tensor Ones(Tensor tensor) => Constant(tensor, 1);

    /// <summary>U(−b, b) with b = gain·√(6 / (fan_in + fan_out)) (Glorot and Bengio 2010).</summary>
    public static Tensor XavierUniform(Tensor tensor, double gain = 1, Generator? rng = null)
    {
        var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
        double bound = Math.Sqrt(3.0) * gain * Math.Sqrt(2.0 / (fanIn + fanOut));
        return Uniform(tensor, -bound, bound, rng);
    }

    /// <summary>N(0, std²) with std = gain·√(2 / (fan_in + fan_out)).</summary>
    public static Tensor XavierNormal(Tensor tensor, double gain = 1, Generator? rng = null)
    {
        var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
        return Normal(tensor, 0, gain * Math.Sqrt(2.0 / (fanIn + fanOut)), rng);
    }

    /// <summary>U(−b, b) with b = gain·√(3 / fan) (He et al. 2015); mode is "fan_in" or "fan_out".</summary>
    public static Tensor KaimingUniform(Tensor tensor, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu", Generator? rng = null)
    {
        double std = KaimingStd(tensor, a, mode, nonlinearity);
        double bound = Math.Sqrt(3.0) * std;
        return Uniform(tensor, -bound, bound, rng);
    }

    /// <summary>N(0, std²) with std = gain / √fan.</summary>
    public static Tensor KaimingNormal(Tensor tensor, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu", Generator? rng = null) =>
        Normal(tensor, 0, KaimingStd(tensor, a, mode, nonlinearity), rng);

    private static double KaimingStd(Tensor tensor, double a, string mode, string nonlinearity)
    {
        var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
        int fan = mode switch
        {
            "fan_in" => fanIn,
            "fan_out" => fanOut,
            _ => throw new ArgumentException($"mode '{mode}' not supported, use \"fan_in\" or \"fan_out\".", nameof(mode)),
        };
        if (fan == 0) throw new ArgumentException($"cannot initialise an empty tensor {tensor.ShapeString}.");
        return CalculateGain(nonlinearity, a) / Math.Sqrt(fan);
    }

    private static Span<float> Values(Tensor tensor)
    {
        if (!tensor.IsContiguous) throw new ArgumentException($"initialisers write contiguous tensors; {tensor.ShapeString} is a strided view.");
        return tensor.Span;
    }
}
