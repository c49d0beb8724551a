using Feynman.Tensors;
using Feynman.Tensors.Kernels;

namespace Feynman.Autograd;

/// <summary>Pointwise activations, each forward beside its backward.</summary>
public static partial class Ops
{
    public static Tensor Relu(Tensor input)
    {
        var x = Contiguous(input);
        var y = Tensor.Empty(x.Shape);
        SplitKernels.Relu(x.Span, y.Span);
        if (AutogradEngine.ShouldRecord(x))
        {
            AutogradEngine.Record(y, "relu", [x], g =>
            {
                // dx = g where y > 0
                var t = AutogradEngine.GradTarget(x, out bool acc);
                SplitKernels.ReluBackward(y.Span, g.Span, t.Span, acc);
            });
        }
        return y;
    }
}
