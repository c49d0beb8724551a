using Feynman.Tensors;

namespace Feynman.Autograd;

/// <summary>Elementwise math (exp, log, sqrt, pow, abs, tanh, sigmoid, gelu, clamp), each forward beside its backward.</summary>
public static partial class Ops
{
    /// <summary>Writes an input's gradient contribution into a span (a fresh gradient, or a scratch buffer that is then added).</summary>
    private delegate void ElementwiseGradWriter(Span<float> destination);

    /// <summary>
    /// Runs <paramref name="write"/> straight into the input's gradient when it is fresh, or into a pooled
    /// scratch buffer that is added to it when a gradient is already there.
    /// </summary>
    private static void WriteElementwiseGrad(Tensor input, ElementwiseGradWriter write)
    {
        if (!input.RequiresGrad) return;
        var target = AutogradEngine.GradTarget(input, out bool acc);
        if (!acc)
        {
            write(target.Span);
            return;
        }
        var scratch = BufferPool.Rent(target.Count);
        try
        {
            var s = scratch.AsSpan(0, target.Count);
            write(s);
            TensorPrimitives.Add(target.Span, s, target.Span);
        }
        finally { BufferPool.Return(scratch); }
    }

    public static Tensor Exp(Tensor input)
    {
        var x = Contiguous(input);
        var y = Tensor.Empty(x.Shape);
        TensorPrimitives.Exp(x.Span, y.Span);
        if (AutogradEngine.ShouldRecord(x))
            AutogradEngine.Record(y, "exp", [x], g => WriteElementwiseGrad(x, d => TensorPrimitives.Multiply(g.Span, y.Span, d)));
        return y;
    }

    /// <summary>Natural logarithm.</summary>
    public static Tensor Log(Tensor input)
    {
        var x = Contiguous(input);
        var y = Tensor.Empty(x.Shape);
        TensorPrimitives.Log(x.Span, y.Span);
        if (AutogradEngine.ShouldRecord(x))
            AutogradEngine.Record(y, "log", [x], g => WriteElementwiseGrad(x, d => TensorPrimitives.Divide(g.Span, x.Span, d)));
        return y;
    }

    public static Tensor Sqrt(Tensor input)
    {
        var x = Contiguous(input);
        var y = Tensor.Empty(x.Shape);
        TensorPrimitives.Sqrt(x.Span, y.Span);
        if (AutogradEngine.ShouldRecord(x))
        {
            AutogradEngine.Record(y, "sqrt", [x], g => WriteElementwiseGrad(x, d =>
            {
                // d sqrt(x) = 1 / (2 sqrt(x))
                TensorPrimitives.Divide(g.Span, y.Span, d);
                TensorPrimitives.Multiply(d, 0.5f, d);
            }));
        }
        return y;
    }

    /// <summary>x raised to a constant power, elementwise (IEEE pow: negative bases with integer exponents work).</summary>
    public static Tensor Pow(Tensor input, float exponent)
    {
        var x = Contiguous(input);
        var y = Tensor.Empty(x.Shape);
        PowKernel(x.Span, exponent, y.Span);
        if (AutogradEngine.ShouldRecord(x))
        {
            AutogradEngine.Record(y, "pow", [x], g => WriteElementwiseGrad(x, d =>
            {
                // e · x^(e−1); PyTorch defines the gradient of x^0 as 0 everywhere.
                if (exponent == 0f) { d.Clear(); return; }
                PowKernel(x.Span, exponent - 1f, d);
                TensorPrimitives.Multiply(d, exponent, d);
                TensorPrimitives.Multiply(d, g.Span, d);
            }));
        }
        return y;
    }

    private static void PowKernel(ReadOnlySpan<float> x, float exponent, Span<float> y)
    {
        switch (exponent)
        {
            case 0f: y.Fill(1f); break;
            case 1f: x.CopyTo(y); break;
            case 2f: TensorPrimitives.Multiply(x, x, y); break;
            case 0.5f: TensorPrimitives.Sqrt(x, y); break;
            case -1f: TensorPrimitives.Divide(1f, x, y); break;
            default:
                for (int i = 0; i < x.Length; i++) y[i] = MathF.Pow(x[i], exponent);
                break;
        }
    }

    public static Tensor Abs(Tensor input)
    {
        var x = Contiguous(input);
        var y = Tensor.Empty(x.Shape);
        TensorPrimitives.Abs(x.Span, y.Span);
        if (AutogradEngine.ShouldRecord(x))
        {
            AutogradEngine.Record(y, "abs", [x], g => WriteElementwiseGrad(x, d =>
            {
                // g · sign(x), with sign(0) = 0 as in PyTorch.
                var xs = x.Span;
                var gs = g.Span;
                for (int i = 0; i < d.Length; i++) d[i] = xs[i] > 0f ? gs[i] : xs[i] < 0f ? -gs[i] : 0f;
            }));
        }
        return y;
    }

    public static Tensor Tanh(Tensor input)
    {
        var x = Contiguous(input);
        var y = Tensor.Empty(x.Shape);
        TensorPrimitives.Tanh(x.Span, y.Span);
        if (AutogradEngine.ShouldRecord(x))
        {
            AutogradEngine.Record(y, "tanh", [x], g => WriteElementwiseGrad(x, d =>
            {
                // g · (1 − y²)
                var ys = y.Span;
                TensorPrimitives.Multiply(ys, ys, d);
                TensorPrimitives.Subtract(1f, d, d);
                TensorPrimitives.Multiply(d, g.Span, d);
            }));
        }
        return y;
    }

    public static Tensor Sigmoid(Tensor input)
    {
        var x = Contiguous(input);
        var y = Tensor.Empty(x.Shape);
        TensorPrimitives.Sigmoid(x.Span, y.Span);
        if (AutogradEngine.ShouldRecord(x))
        {
            AutogradEngine.Record(y, "sigmoid", [x], g => WriteElementwiseGrad(x, d =>
            {
                // g · y · (1 − y)
                var ys = y.Span;
                TensorPrimitives.Subtract(1f, ys, d);
                TensorPrimitives.Multiply(d, ys, d);
                TensorPrimitives.Multiply(d, g.Span, d);
            }));
        }
        return y;
    }

    private const double SqrtTwoOverPi = 0.79788456080286535588; // √(2/π)
    private const double GeluKappa = 0.044715;
    private const double InvSqrtTwo = 0.70710678118654752440;
    private const double InvSqrtTwoPi = 0.39894228040143267794; // 1/√(2π)

    /// <summary>
    /// GELU, x·Φ(x). The default is PyTorch's exact form with the error function; <paramref name="approximateTanh"/>
    /// selects 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))), PyTorch's approximate="tanh".
    /// </summary>
    public static Tensor Gelu(Tensor input, bool approximateTanh = false)
    {
        var x = Contiguous(input);
        var y = Tensor.Empty(x.Shape);
        var xs = x.Span;
        var ys = y.Span;
        if (approximateTanh)
        {
            for (int i = 0; i < xs.Length; i++)
            {
                double v = xs[i];
                ys[i] = (float)(0.5 * v * (1 + Math.Tanh(SqrtTwoOverPi * (v + GeluKappa * v * v * v))));
            }
        }
        else
        {
            for (int i = 0; i < xs.Length; i++)
            {
                double v = xs[i];
                ys[i] = (float)(0.5 * v * (1 + Erf(v * InvSqrtTwo)));
            }
        }
        if (AutogradEngine.ShouldRecord(x))
        {
            AutogradEngine.Record(y, approximateTanh ? "gelu_tanh" : "gelu", [x], g => WriteElementwiseGrad(x, d =>
            {
                var xv = x.Span;
                var gs = g.Span;
                for (int i = 0; i < d.Length; i++)
                {
                    double v = xv[i], slope;
                    if (approximateTanh)
                    {
                        double t = Math.Tanh(SqrtTwoOverPi * (v + GeluKappa * v * v * v));
                        slope = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * SqrtTwoOverPi * (1 + 3 * GeluKappa * v * v);
                    }
                    else
                    {
                        // Φ(x) + x·φ(x)
                        slope = 0.5 * (1 + Erf(v * InvSqrtTwo)) + v * InvSqrtTwoPi * Math.Exp(-0.5 * v * v);
                    }
                    d[i] = (float)(gs[i] * slope);
                }
            }));
        }
        return y;
    }

    /// <summary>
    /// The error function in double precision (.NET has none): its Maclaurin-type series
    /// erf(x) = 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3···(2n+1)) below |x| = 2, and the continued fraction
    /// of erfc above, where the series would need many terms.
    /// </summary>
    internal static double Erf(double x)
    {
        double ax = Math.Abs(x);
        if (ax < 2.0)
        {
            double x2 = x * x, term = x, sum = x;
            for (int n = 1; n < 80; n++)
            {
                term *= 2 * x2 / (2 * n + 1);
                sum += term;
                if (Math.Abs(term) <= 1e-17 * Math.Abs(sum)) break;
            }
            return 1.1283791670955125739 * Math.Exp(-x2) * sum;
        }
        if (ax >= 6.0) return Math.Sign(x);
        // erfc(a) = e^(−a²)/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))), evaluated from the tail.
        double f = ax;
        for (int k = 60; k >= 1; k--) f = ax + 0.5 * k / f;
        double erfc = Math.Exp(-ax * ax) / (1.7724538509055160273 * f);
        return x > 0 ? 1 - erfc : erfc - 1;
    }

    /// <summary>
    /// Limits values to [min, max] (either bound may be null). As in PyTorch the gradient passes where
    /// min ≤ x ≤ max, bounds included; when min &gt; max every value becomes max.
    /// </summary>
    public static Tensor Clamp(Tensor input, float? min = null, float? max = null)
    {
        if (min is null && max is null) throw new ArgumentException($"clamp of {input.ShapeString}: give at least one of min and max.");
        var x = Contiguous(input);
        var y = Tensor.Empty(x.Shape);
        float lo = min ?? float.NegativeInfinity, hi = max ?? float.PositiveInfinity;
        var xs = x.Span;
        var ys = y.Span;
        TensorPrimitives.Max(xs, lo, ys);
        TensorPrimitives.Min(ys, hi, ys);
        if (AutogradEngine.ShouldRecord(x))
        {
            AutogradEngine.Record(y, "clamp", [x], g => WriteElementwiseGrad(x, d =>
            {
                var xv = x.Span;
                var gs = g.Span;
                for (int i = 0; i < d.Length; i++) d[i] = xv[i] >= lo && xv[i] <= hi ? gs[i] : 0f;
            }));
        }
        return y;
    }
}
