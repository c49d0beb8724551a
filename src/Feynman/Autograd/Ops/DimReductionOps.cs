using Feynman.Tensors;

namespace Feynman.Autograd;

/// <summary>
/// Reductions along one dimension (sum, mean, max/min with their indices, variance). A contiguous
/// tensor is viewed as [outer, n, inner] around the reduced dimension, so every kernel works on
/// contiguous rows of length inner (SIMD) or, when inner is 1, on contiguous rows of length n.
/// </summary>
public static partial class Ops
{
    /// <summary>Sizes before, at and after dimension <paramref name="dim"/> (already normalised).</summary>
    private static (int Outer, int N, int Inner) SplitAroundDim(ReadOnlySpan<int> shape, int dim)
    {
        int outer = 1, inner = 1;
        for (int i = 0; i < dim; i++) outer *= shape[i];
        for (int i = dim + 1; i < shape.Length; i++) inner *= shape[i];
        return (outer, shape[dim], inner);
    }

    /// <summary>The shape after reducing <paramref name="dim"/>: kept as 1, or removed.</summary>
    private static int[] ReducedShape(ReadOnlySpan<int> shape, int dim, bool keepDim)
    {
        var result = new List<int>(shape.Length);
        for (int i = 0; i < shape.Length; i++)
        {
            if (i != dim) result.Add(shape[i]);
            else if (keepDim) result.Add(1);
        }
        return result.ToArray();
    }

    private static int ReductionDim(Tensor x, int dim, string op)
    {
        if (x.Rank == 0) throw new ArgumentException($"{op} along dimension {dim}: the input is a scalar {x.ShapeString}.");
        int d = dim < 0 ? dim + x.Rank : dim;
        if ((uint)d >= (uint)x.Rank) throw new ArgumentException($"{op}: dimension {dim} is out of range for input {x.ShapeString}.");
        return d;
    }

    /// <summary>Sum along <paramref name="dim"/> (torch.sum(x, dim, keepdim)).</summary>
    public static Tensor Sum(Tensor input, int dim, bool keepDim = false) => SumOrMean(input, dim, keepDim, mean: false);

    /// <summary>Mean along <paramref name="dim"/> (torch.mean(x, dim, keepdim)).</summary>
    public static Tensor Mean(Tensor input, int dim, bool keepDim = false) => SumOrMean(input, dim, keepDim, mean: true);

    private static Tensor SumOrMean(Tensor input, int dim, bool keepDim, bool mean)
    {
        string name = mean ? "mean_dim" : "sum_dim";
        int d = ReductionDim(input, dim, name);
        var x = Contiguous(input);
        var (outer, n, inner) = SplitAroundDim(x.Shape, d);
        var y = Tensor.Empty(ReducedShape(x.Shape, d, keepDim));
        var xs = x.Span;
        var ys = y.Span;
        float scale = mean ? 1f / n : 1f;
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++) ys[o] = TensorPrimitives.Sum(xs.Slice(o * n, n)) * scale;
        }
        else
        {
            for (int o = 0; o < outer; o++)
            {
                var yr = ys.Slice(o * inner, inner);
                yr.Clear();
                for (int k = 0; k < n; k++) TensorPrimitives.Add(yr, xs.Slice((o * n + k) * inner, inner), yr);
                if (mean) TensorPrimitives.Multiply(yr, scale, yr);
            }
        }
        if (AutogradEngine.ShouldRecord(x))
        {
            AutogradEngine.Record(y, name, [x], g => WriteElementwiseGrad(x, dst =>
            {
                // Every reduced element receives its row's output gradient (scaled by 1/n for the mean).
                var gs = g.Span;
                for (int o = 0; o < outer; o++)
                {
                    if (inner == 1) dst.Slice(o * n, n).Fill(gs[o] * scale);
                    else
                        for (int k = 0; k < n; k++)
                            TensorPrimitives.Multiply(gs.Slice(o * inner, inner), scale, dst.Slice((o * n + k) * inner, inner));
                }
            }));
        }
        return y;
    }

    /// <summary>
    /// Largest values along <paramref name="dim"/> (the values of torch.max(x, dim, keepdim)). The gradient
    /// goes to the first position holding the maximum, as PyTorch routes it; NaN counts as the maximum.
    /// </summary>
    public static Tensor Max(Tensor input, int dim, bool keepDim = false) => MaxOrMin(input, dim, keepDim, max: true, out _);

    /// <summary>Largest values along <paramref name="dim"/> and their positions (torch.max(x, dim) returning both).</summary>
    public static Tensor Max(Tensor input, int dim, bool keepDim, out int[] indices) => MaxOrMin(input, dim, keepDim, max: true, out indices);

    /// <summary>Smallest values along <paramref name="dim"/>; the gradient goes to the first minimum.</summary>
    public static Tensor Min(Tensor input, int dim, bool keepDim = false) => MaxOrMin(input, dim, keepDim, max: false, out _);

    /// <summary>
    /// Positions of the largest values along <paramref name="dim"/> (torch.argmax), first one on ties, in
    /// row-major order of the reduced shape. Not differentiable.
    /// </summary>
    public static int[] ArgMax(Tensor input, int dim)
    {
        int d = ReductionDim(input, dim, "argmax");
        var x = Contiguous(input);
        var (outer, n, inner) = SplitAroundDim(x.Shape, d);
        if (n == 0) throw new ArgumentException($"argmax along dimension {dim} of {x.ShapeString}: the dimension is empty.");
        var indices = new int[outer * inner];
        ArgExtremum(x.Span, outer, n, inner, max: true, indices);
        return indices;
    }

    /// <summary>Positions of the smallest values along <paramref name="dim"/> (torch.argmin), first one on ties.</summary>
    public static int[] ArgMin(Tensor input, int dim)
    {
        int d = ReductionDim(input, dim, "argmin");
        var x = Contiguous(input);
        var (outer, n, inner) = SplitAroundDim(x.Shape, d);
        if (n == 0) throw new ArgumentException($"argmin along dimension {dim} of {x.ShapeString}: the dimension is empty.");
        var indices = new int[outer * inner];
        ArgExtremum(x.Span, outer, n, inner, max: false, indices);
        return indices;
    }

    private static void ArgExtremum(ReadOnlySpan<float> xs, int outer, int n, int inner, bool max, Span<int> indices)
    {
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int baseOffset = o * n * inner + i;
                int best = 0;
                float bestValue = xs[baseOffset];
                if (!float.IsNaN(bestValue))
                {
                    for (int k = 1; k < n; k++)
                    {
                        float v = xs[baseOffset + k * inner];
                        if (float.IsNaN(v)) { best = k; break; }
                        if (max ? v > bestValue : v < bestValue) { best = k; bestValue = v; }
                    }
                }
                indices[o * inner + i] = best;
            }
        }
    }

    private static Tensor MaxOrMin(Tensor input, int dim, bool keepDim, bool max, out int[] indices)
    {
        string name = max ? "max_dim" : "min_dim";
        int d = ReductionDim(input, dim, name);
        var x = Contiguous(input);
        var (outer, n, inner) = SplitAroundDim(x.Shape, d);
        if (n == 0) throw new ArgumentException($"{name} along dimension {dim} of {x.ShapeString}: the dimension is empty.");
        var idx = new int[outer * inner];
        var xs = x.Span;
        ArgExtremum(xs, outer, n, inner, max, idx);
        var y = Tensor.Empty(ReducedShape(x.Shape, d, keepDim));
        var ys = y.Span;
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
                ys[o * inner + i] = xs[(o * n + idx[o * inner + i]) * inner + i];
        indices = idx;
        if (AutogradEngine.ShouldRecord(x))
        {
            AutogradEngine.Record(y, name, [x], g =>
            {
                var t = AutogradEngine.GradTarget(x, out bool acc);
                var ts = t.Span;
                if (!acc) ts.Clear();
                var gs = g.Span;
                for (int o = 0; o < outer; o++)
                    for (int i = 0; i < inner; i++)
                        ts[(o * n + idx[o * inner + i]) * inner + i] += gs[o * inner + i];
            });
        }
        return y;
    }

    /// <summary>
    /// Variance along <paramref name="dim"/> with Bessel's correction by default (torch.var(x, dim,
    /// correction=1)); <paramref name="correction"/> 0 gives the population variance.
    /// </summary>
    public static Tensor Var(Tensor input, int dim, int correction = 1, bool keepDim = false)
    {
        int d = ReductionDim(input, dim, "var");
        var x = Contiguous(input);
        var (outer, n, inner) = SplitAroundDim(x.Shape, d);
        float denominator = Math.Max(n - correction, 0);
        var y = Tensor.Empty(ReducedShape(x.Shape, d, keepDim));
        var means = new float[outer * inner];
        var xs = x.Span;
        var ys = y.Span;
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int b = o * n * inner + i;
                double s = 0;
                for (int k = 0; k < n; k++) s += xs[b + k * inner];
                double mean = s / n;
                double ss = 0;
                for (int k = 0; k < n; k++) { double dv = xs[b + k * inner] - mean; ss += dv * dv; }
                means[o * inner + i] = (float)mean;
                ys[o * inner + i] = (float)(ss / denominator);
            }
        }
        if (AutogradEngine.ShouldRecord(x))
        {
            AutogradEngine.Record(y, "var", [x], g => WriteElementwiseGrad(x, dst =>
            {
                // d var / dx_k = 2 (x_k − mean) / (n − correction)
                var xv = x.Span;
                var gs = g.Span;
                for (int o = 0; o < outer; o++)
                    for (int k = 0; k < n; k++)
                        for (int i = 0; i < inner; i++)
                        {
                            int at = (o * n + k) * inner + i;
                            dst[at] = 2f * (xv[at] - means[o * inner + i]) / denominator * gs[o * inner + i];
                        }
            }));
        }
        return y;
    }
}
