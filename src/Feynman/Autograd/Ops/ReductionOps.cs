using Feynman.Tensors;

namespace Feynman.Autograd;

/// <summary>Reductions over all elements or along dimensions.</summary>
public static partial class Ops
{
    /// <summary>The sum of all elements, as a scalar tensor.</summary>
    public static Tensor Sum(Tensor input)
    {
        var x = Contiguous(input);
        var y = Tensor.Scalar(TensorPrimitives.Sum(x.Span));
        if (AutogradEngine.ShouldRecord(x))
        {
            AutogradEngine.Record(y, "sum", [x], g =>
            {
                var t = AutogradEngine.GradTarget(x, out bool acc);
                float v = g.Span[0];
                if (acc) TensorPrimitives.Add(t.Span, v, t.Span); else t.Span.Fill(v);
            });
        }
        return y;
    }

    /// <summary>The mean of all elements, as a scalar tensor.</summary>
    public static Tensor Mean(Tensor input)
    {
        var x = Contiguous(input);
        int n = Math.Max(x.Count, 1);
        var y = Tensor.Scalar(TensorPrimitives.Sum(x.Span) / n);
        if (AutogradEngine.ShouldRecord(x))
        {
            AutogradEngine.Record(y, "mean", [x], g =>
            {
                var t = AutogradEngine.GradTarget(x, out bool acc);
                float v = g.Span[0] / n;
                if (acc) TensorPrimitives.Add(t.Span, v, t.Span); else t.Span.Fill(v);
            });
        }
        return y;
    }
}
