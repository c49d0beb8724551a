using Feynman.Autograd;
using Feynman.Tensors;

namespace Feynman.Nn;

/// <summary>
/// Mean over square windows of [N, C, H, W] (torch.nn.AvgPool2d); the stride defaults to the kernel size.
/// With <c>countIncludePad</c> (PyTorch's default) the zero padding counts in each window's divisor.
/// </summary>
public sealed class AvgPool2d : Module
{
    public AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool countIncludePad = true)
    {
        if (kernelSize <= 0 || stride is <= 0 || padding < 0 || padding > kernelSize / 2)
            throw new ArgumentOutOfRangeException(nameof(kernelSize), $"AvgPool2d needs kernel_size ≥ 1, stride ≥ 1 and 0 ≤ padding ≤ kernel_size/2, got kernel_size={kernelSize}, stride={stride}, padding={padding}.");
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding;
        CountIncludePad = countIncludePad;
    }

    public int KernelSize { get; }

    public int Stride { get; }

    public int Padding { get; }

    public bool CountIncludePad { get; }

    public override Tensor Forward(Tensor x) => Ops.AvgPool2d(x, KernelSize, Stride, Padding, CountIncludePad);

    protected override string ExtraRepr() => $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}";
}
