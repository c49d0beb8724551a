using System.Numerics;
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
    private const double InvSqrtTwoPi = 0.39894228040143267794; // 1/√(2π)

    /// <summary>
    /// GELU, x·Φ(x). The default is PyTorch's exact form with the error function (evaluated in double through
    /// <see cref="NormalCdf"/>, four lanes at a time); <paramref name="approximateTanh"/> selects
    /// 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))), PyTorch's approximate="tanh", in float as PyTorch computes it.
    /// </summary>
    public static Tensor Gelu(Tensor input, bool approximateTanh = false)
    {
        var x = Contiguous(input);
        var y = Tensor.Empty(x.Shape);
        if (approximateTanh) GeluTanhKernel(x.Span, default, y.Span);
        else GeluExactKernel(x.Span, default, y.Span);
        if (AutogradEngine.ShouldRecord(x))
        {
            AutogradEngine.Record(y, approximateTanh ? "gelu_tanh" : "gelu", [x], g => WriteElementwiseGrad(x, d =>
            {
                if (approximateTanh) GeluTanhKernel(x.Span, g.Span, d);
                else GeluExactKernel(x.Span, g.Span, d);
            }));
        }
        return y;
    }

    /// <summary>Writes x·Φ(x), or, given the output gradient <paramref name="g"/>, g·(Φ(x) + x·φ(x)).</summary>
    private static void GeluExactKernel(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> dst)
    {
        bool backward = !g.IsEmpty;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count;
            for (; i <= x.Length - width; i += width)
            {
                Vector.Widen(new Vector<float>(x.Slice(i)), out Vector<double> lo, out Vector<double> hi);
                var result = Vector.Narrow(GeluLanes(lo, backward), GeluLanes(hi, backward));
                if (backward) result *= new Vector<float>(g.Slice(i));
                result.CopyTo(dst.Slice(i));
            }
        }
        for (; i < x.Length; i++)
        {
            double v = x[i];
            double cdf = NormalCdf(v, out double pdf);
            dst[i] = backward ? (float)(g[i] * (cdf + v * pdf)) : (float)(v * cdf);
        }
    }

    /// <summary><see cref="NormalCdf"/> on vector lanes (both polynomial pieces, then a select): x·Φ(x), or Φ(x) + x·φ(x).</summary>
    private static Vector<double> GeluLanes(Vector<double> x, bool derivative)
    {
        var x2 = x * x;
        var e = Vector.Exp(x2 * -0.5);
        var centre = new Vector<double>(CdfCentre[^1]);
        for (int k = CdfCentre.Length - 2; k >= 0; k--) centre = centre * x2 + new Vector<double>(CdfCentre[k]);
        var cdfCentre = new Vector<double>(0.5) + x * e * centre;
        // Lanes with x = 0 divide by zero here; the select below never takes them from the tail.
        var u = new Vector<double>(6.25) / x2;
        var tail = new Vector<double>(CdfTail[^1]);
        for (int k = CdfTail.Length - 2; k >= 0; k--) tail = tail * u + new Vector<double>(CdfTail[k]);
        var a = Vector.Abs(x);
        tail = e * tail / a;
        var cdfTail = Vector.ConditionalSelect(Vector.LessThan(x, Vector<double>.Zero), tail, Vector<double>.One - tail);
        var cdf = Vector.ConditionalSelect(Vector.LessThan(a, new Vector<double>(2.5)), cdfCentre, cdfTail);
        return derivative ? cdf + x * e * InvSqrtTwoPi : x * cdf;
    }

    /// <summary>
    /// Writes 0.5·x·(1 + tanh(z)), z = √(2/π)(x + κx³), or, given <paramref name="g"/>,
    /// g·(0.5·(1 + t) + 0.5·x·(1 − t²)·√(2/π)(1 + 3κx²)) with t = tanh(z): PyTorch's formulas, in SIMD passes.
    /// </summary>
    private static void GeluTanhKernel(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> dst)
    {
        int n = x.Length;
        var buffer = BufferPool.Rent(2 * n);
        try
        {
            var sq = buffer.AsSpan(0, n);
            var t = buffer.AsSpan(n, n);
            TensorPrimitives.Multiply(x, x, sq);
            // t = tanh(√(2/π)·x·(1 + κx²))
            TensorPrimitives.Multiply(sq, (float)GeluKappa, t);
            TensorPrimitives.Add(t, 1f, t);
            TensorPrimitives.Multiply(t, x, t);
            TensorPrimitives.Multiply(t, (float)SqrtTwoOverPi, t);
            TensorPrimitives.Tanh(t, t);
            if (g.IsEmpty)
            {
                TensorPrimitives.Add(t, 1f, dst);
                TensorPrimitives.Multiply(dst, x, dst);
                TensorPrimitives.Multiply(dst, 0.5f, dst);
                return;
            }
            // sq ← √(2/π)(1 + 3κx²)·0.5·x·(1 − t²)
            TensorPrimitives.Multiply(sq, (float)(3 * GeluKappa), sq);
            TensorPrimitives.Add(sq, 1f, sq);
            TensorPrimitives.Multiply(sq, (float)(0.5 * SqrtTwoOverPi), sq);
            TensorPrimitives.Multiply(sq, x, sq);
            TensorPrimitives.Multiply(t, t, dst);
            TensorPrimitives.Subtract(1f, dst, dst);
            TensorPrimitives.Multiply(sq, dst, sq);
            // dst ← (0.5·(1 + t) + sq)·g
            TensorPrimitives.Add(t, 1f, dst);
            TensorPrimitives.MultiplyAdd(dst, 0.5f, sq, dst);
            TensorPrimitives.Multiply(dst, g, dst);
        }
        finally { BufferPool.Return(buffer); }
    }

    // Φ(x) − 1/2 = x·e^(−x²/2)·M(x²) for |x| < 2.5, M fitted on [0, 6.25] (relative error of Φ below 3e-10).
    private static readonly double[] CdfCentre =
    [
        0.39894228040694774, 0.13298075983704202, 0.026596154662040003, 0.00379944111453951, 0.0004221777001453849,
        3.836055944307708e-05, 2.964307385183357e-06, 1.9128025780424813e-07, 1.3288949195433441e-08,
        2.5038687050868575e-10, 7.86976158889915e-11, -2.980473463957565e-12, 2.380690179838336e-13,
    ];

    // Φ(−a) = e^(−a²/2)·R(6.25/a²)/a for a ≥ 2.5, R fitted on (0, 1] with R(0) = 1/√(2π) (the asymptotic series' limit).
    private static readonly double[] CdfTail =
    [
        0.39894228159247214, -0.06383090713667716, 0.030644205094361, -0.02461010620122356, 0.028474607673295627,
        -0.04603664181549816, 0.09584308799825814, -0.2076195934282084, 0.3871488542003436, -0.5621000235501685,
        0.6027716934263577, -0.4570520127531865, 0.23083946631159724, -0.06951881818922918, 0.009432235259572,
    ];

    /// <summary>
    /// The standard normal CDF Φ(x) = (1 + erf(x/√2))/2 and density φ(x), in double precision from two
    /// polynomial fits (made with numpy against math.erfc). The tail form keeps Φ of large negative x
    /// accurate relative to its size, where 1 + erf would cancel.
    /// </summary>
    internal static double NormalCdf(double x, out double pdf)
    {
        double a = Math.Abs(x);
        double e = Math.Exp(-0.5 * x * x);
        pdf = e * InvSqrtTwoPi;
        if (a < 2.5) return 0.5 + x * e * Horner(CdfCentre, x * x);
        double tail = e * Horner(CdfTail, 6.25 / (x * x)) / a;
        return x < 0 ? tail : 1 - tail;
    }

    private static double Horner(double[] coefficients, double t)
    {
        double r = coefficients[^1];
        for (int k = coefficients.Length - 2; k >= 0; k--) r = r * t + coefficients[k];
        return r;
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
