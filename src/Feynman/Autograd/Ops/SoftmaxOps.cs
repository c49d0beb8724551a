using Feynman.Tensors;

namespace Feynman.Autograd;

/// <summary>
/// Softmax and log-softmax along a dimension, numerically stable (the maximum is subtracted before
/// exp). The last dimension takes a row-at-a-time SIMD path; other dimensions work on [outer, n, inner]
/// with whole rows of length inner at a time.
/// </summary>
public static partial class Ops
{
    /// <summary>exp(x − max) / Σ exp(x − max) along <paramref name="dim"/> (torch.softmax).</summary>
    public static Tensor Softmax(Tensor input, int dim) => SoftmaxCore(input, dim, log: false);

    /// <summary>x − max − log Σ exp(x − max) along <paramref name="dim"/> (torch.log_softmax).</summary>
    public static Tensor LogSoftmax(Tensor input, int dim) => SoftmaxCore(input, dim, log: true);

    private static Tensor SoftmaxCore(Tensor input, int dim, bool log)
    {
        string name = log ? "log_softmax" : "softmax";
        int d = ReductionDim(input, dim, name);
        var x = Contiguous(input);
        var (outer, n, inner) = SplitAroundDim(x.Shape, d);
        var y = Tensor.Empty(x.Shape);
        if (n > 0)
        {
            if (inner == 1) SoftmaxRows(x.Span, y.Span, outer, n, log);
            else SoftmaxStrided(x.Span, y.Span, outer, n, inner, log);
        }
        if (AutogradEngine.ShouldRecord(x))
        {
            AutogradEngine.Record(y, name, [x], g => WriteElementwiseGrad(x, dst =>
            {
                if (inner == 1) SoftmaxBackwardRows(g.Span, y.Span, dst, outer, n, log);
                else SoftmaxBackwardStrided(g.Span, y.Span, dst, outer, n, inner, log);
            }));
        }
        return y;
    }

    private static void SoftmaxRows(ReadOnlySpan<float> xs, Span<float> ys, int rows, int n, bool log)
    {
        for (int r = 0; r < rows; r++)
        {
            var xr = xs.Slice(r * n, n);
            var yr = ys.Slice(r * n, n);
            float max = TensorPrimitives.Max(xr);
            TensorPrimitives.Subtract(xr, max, yr);
            if (log)
            {
                // y = (x − max) − log Σ exp(x − max); exp goes through the output row, then is overwritten.
                TensorPrimitives.Exp(yr, yr);
                float lse = max + MathF.Log(TensorPrimitives.Sum(yr));
                TensorPrimitives.Subtract(xr, lse, yr);
            }
            else
            {
                TensorPrimitives.Exp(yr, yr);
                TensorPrimitives.Multiply(yr, 1f / TensorPrimitives.Sum(yr), yr);
            }
        }
    }

    private static void SoftmaxStrided(ReadOnlySpan<float> xs, Span<float> ys, int outer, int n, int inner, bool log)
    {
        var scratch = BufferPool.Rent(2 * inner);
        try
        {
            var max = scratch.AsSpan(0, inner);
            var sum = scratch.AsSpan(inner, inner);
            for (int o = 0; o < outer; o++)
            {
                int b = o * n * inner;
                xs.Slice(b, inner).CopyTo(max);
                for (int k = 1; k < n; k++) TensorPrimitives.Max(max, xs.Slice(b + k * inner, inner), max);
                sum.Clear();
                for (int k = 0; k < n; k++)
                {
                    var yr = ys.Slice(b + k * inner, inner);
                    TensorPrimitives.Subtract(xs.Slice(b + k * inner, inner), max, yr);
                    TensorPrimitives.Exp(yr, yr);
                    TensorPrimitives.Add(sum, yr, sum);
                }
                if (log)
                {
                    // log-sum-exp per column: max + log(sum)
                    TensorPrimitives.Log(sum, sum);
                    TensorPrimitives.Add(sum, max, sum);
                    for (int k = 0; k < n; k++)
                        TensorPrimitives.Subtract(xs.Slice(b + k * inner, inner), sum, ys.Slice(b + k * inner, inner));
                }
                else
                {
                    TensorPrimitives.Divide(1f, sum, sum);
                    for (int k = 0; k < n; k++)
                    {
                        var yr = ys.Slice(b + k * inner, inner);
                        TensorPrimitives.Multiply(yr, sum, yr);
                    }
                }
            }
        }
        finally { BufferPool.Return(scratch); }
    }

    /// <summary>softmax: dx = y ⊙ (g − Σ g⊙y); log-softmax: dx = g − exp(y) · Σ g.</summary>
    private static void SoftmaxBackwardRows(ReadOnlySpan<float> gs, ReadOnlySpan<float> ys, Span<float> dst, int rows, int n, bool log)
    {
        for (int r = 0; r < rows; r++)
        {
            var gr = gs.Slice(r * n, n);
            var yr = ys.Slice(r * n, n);
            var dr = dst.Slice(r * n, n);
            if (log)
            {
                float total = TensorPrimitives.Sum(gr);
                TensorPrimitives.Exp(yr, dr);
                TensorPrimitives.Multiply(dr, -total, dr);
                TensorPrimitives.Add(dr, gr, dr);
            }
            else
            {
                float dot = TensorPrimitives.Dot(gr, yr);
                TensorPrimitives.Subtract(gr, dot, dr);
                TensorPrimitives.Multiply(dr, yr, dr);
            }
        }
    }

    private static void SoftmaxBackwardStrided(ReadOnlySpan<float> gs, ReadOnlySpan<float> ys, Span<float> dst, int outer, int n, int inner, bool log)
    {
        var scratch = BufferPool.Rent(inner);
        try
        {
            var acc = scratch.AsSpan(0, inner);
            for (int o = 0; o < outer; o++)
            {
                int b = o * n * inner;
                acc.Clear();
                for (int k = 0; k < n; k++)
                {
                    var gr = gs.Slice(b + k * inner, inner);
                    if (log) TensorPrimitives.Add(acc, gr, acc);
                    else TensorPrimitives.MultiplyAdd(gr, ys.Slice(b + k * inner, inner), acc, acc);
                }
                for (int k = 0; k < n; k++)
                {
                    var gr = gs.Slice(b + k * inner, inner);
                    var yr = ys.Slice(b + k * inner, inner);
                    var dr = dst.Slice(b + k * inner, inner);
                    if (log)
                    {
                        TensorPrimitives.Exp(yr, dr);
                        TensorPrimitives.Multiply(dr, acc, dr);
                        TensorPrimitives.Subtract(gr, dr, dr);
                    }
                    else
                    {
                        TensorPrimitives.Subtract(gr, acc, dr);
                        TensorPrimitives.Multiply(dr, yr, dr);
                    }
                }
            }
        }
        finally { BufferPool.Return(scratch); }
    }
}
