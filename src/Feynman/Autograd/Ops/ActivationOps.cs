using Feynman.Tensors;

namespace Feynman.Autograd;

/// <summary>Pointwise activations, each forward beside its backward.</summary>
public static partial class Ops
{
    public static Tensor Relu(Tensor input)
    {
        var x = Contiguous(input);
        var y = Tensor.Empty(x.Shape);
        TensorPrimitives.Max(x.Span, 0f, y.Span);
        if (AutogradEngine.ShouldRecord(x))
        {
            AutogradEngine.Record(y, "relu", [x], g =>
            {
                // dx = g where y > 0
                var t = AutogradEngine.GradTarget(x, out bool acc);
                var ts = t.Span;
                var gs = g.Span;
                var yv = y.Span;
                if (acc) { for (int i = 0; i < ts.Length; i++) if (yv[i] > 0f) ts[i] += gs[i]; }
                else for (int i = 0; i < ts.Length; i++) ts[i] = yv[i] > 0f ? gs[i] : 0f;
            });
        }
        return y;
    }
}
