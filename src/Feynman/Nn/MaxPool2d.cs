using Feynman.Autograd;
using Feynman.Tensors;

namespace Feynman.Nn;

/// <summary>Max over square windows of [N, C, H, W] (torch.nn.MaxPool2d); the stride defaults to the kernel size.</summary>
public sealed class MaxPool2d : Module
{
    public MaxPool2d(int kernelSize, int? stride = null, int padding = 0)
    {
        if (kernelSize <= 0 || stride is <= 0 || padding < 0 || padding > kernelSize / 2)
            throw new ArgumentOutOfRangeException(nameof(kernelSize), $"MaxPool2d needs kernel_size ≥ 1, stride ≥ 1 and 0 ≤ padding ≤ kernel_size/2, got kernel_size={kernelSize}, stride={stride}, padding={padding}.");
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding;
    }

    public int KernelSize { get; }

    public int Stride { get; }

    public int Padding { get; }

    public override Tensor Forward(Tensor x) => Ops.MaxPool2d(x, KernelSize, Stride, Padding);

    protected override string ExtraRepr() => $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}, dilation=1, ceil_mode=False";
}
