using System.Globalization;

namespace Feynman.Training.Recipes;

/// <summary>
/// One layer of a recipe model with every size resolved: its index in the equivalent PyTorch
/// nn.Sequential, the shapes it takes and gives (per sample, without the batch dimension), and
/// its settings. Only the settings of its <see cref="Kind"/> are meaningful.
/// </summary>
public sealed record LayerSpec(int Index, LayerKind Kind, IReadOnlyList<int> InputShape, IReadOnlyList<int> OutputShape)
{
    /// <summary>Line of the layer in the recipe (0 when built in code).</summary>
    public int Line { get; init; }

    /// <summary>Conv2d / BatchNorm2d: input channels. Linear / BatchNorm1d: input features.</summary>
    public int InFeatures { get; init; }

    /// <summary>Conv2d: output channels. Linear: output features.</summary>
    public int OutFeatures { get; init; }

    /// <summary>Conv2d and pools: square kernel size.</summary>
    public int Kernel { get; init; }

    /// <summary>Conv2d and pools: stride (pools default to the kernel size, as in PyTorch).</summary>
    public int Stride { get; init; } = 1;

    /// <summary>Conv2d and pools: zero padding on each side.</summary>
    public int Padding { get; init; }

    /// <summary>Conv2d and Linear: whether there is a bias.</summary>
    public bool Bias { get; init; } = true;

    /// <summary>Dropout: probability of zeroing an element.</summary>
    public double P { get; init; }

    /// <summary>Batch norm: epsilon and running-statistics momentum (PyTorch defaults).</summary>
    public double Eps { get; init; } = 1e-5;

    public double Momentum { get; init; } = 0.1;

    /// <summary>The trainable tensors and buffers, with PyTorch state_dict names.</summary>
    public IReadOnlyList<ParameterSpec> Parameters => Kind switch
    {
        LayerKind.Conv2d => Bias
            ? [new($"{Index}.weight", [OutFeatures, InFeatures, Kernel, Kernel]), new($"{Index}.bias", [OutFeatures])]
            : [new($"{Index}.weight", [OutFeatures, InFeatures, Kernel, Kernel])],
        LayerKind.Linear => Bias
            ? [new($"{Index}.weight", [OutFeatures, InFeatures]), new($"{Index}.bias", [OutFeatures])]
            : [new($"{Index}.weight", [OutFeatures, InFeatures])],
        LayerKind.BatchNorm1d or LayerKind.BatchNorm2d =>
            [new($"{Index}.weight", [InFeatures]), new($"{Index}.bias", [InFeatures]),
             new($"{Index}.running_mean", [InFeatures], IsBuffer: true), new($"{Index}.running_var", [InFeatures], IsBuffer: true)],
        _ => [],
    };

    /// <summary>Number of trainable values (buffers excluded), as PyTorch's sum of p.numel() over parameters().</summary>
    public long ParameterCount => Parameters.Where(p => !p.IsBuffer).Sum(p => p.Count);

    /// <summary>The PyTorch module this layer is, e.g. "nn.Conv2d(1, 32, kernel_size=3, stride=1, padding=1)".</summary>
    public string ToPyTorch() => Kind switch
    {
        LayerKind.Conv2d => $"nn.Conv2d({InFeatures}, {OutFeatures}, kernel_size={Kernel}, stride={Stride}, padding={Padding}{(Bias ? "" : ", bias=False")})",
        LayerKind.Linear => $"nn.Linear({InFeatures}, {OutFeatures}{(Bias ? "" : ", bias=False")})",
        LayerKind.ReLU => "nn.ReLU()",
        LayerKind.GELU => "nn.GELU()",
        LayerKind.Tanh => "nn.Tanh()",
        LayerKind.MaxPool2d => $"nn.MaxPool2d(kernel_size={Kernel}, stride={Stride}, padding={Padding})",
        LayerKind.AvgPool2d => $"nn.AvgPool2d(kernel_size={Kernel}, stride={Stride}, padding={Padding})",
        LayerKind.Flatten => "nn.Flatten()",
        LayerKind.Dropout => $"nn.Dropout(p={P.ToString(CultureInfo.InvariantCulture)})",
        LayerKind.BatchNorm2d => $"nn.BatchNorm2d({InFeatures}, eps={Eps.ToString(CultureInfo.InvariantCulture)}, momentum={Momentum.ToString(CultureInfo.InvariantCulture)})",
        LayerKind.BatchNorm1d => $"nn.BatchNorm1d({InFeatures}, eps={Eps.ToString(CultureInfo.InvariantCulture)}, momentum={Momentum.ToString(CultureInfo.InvariantCulture)})",
        _ => throw new InvalidOperationException($"no PyTorch equivalent for {Kind}."),
    };
}
