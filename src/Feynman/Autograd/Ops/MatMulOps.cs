using Feynman.Tensors;
using Feynman.Tensors.Kernels;

namespace Feynman.Autograd;

/// <summary>Matrix products: matmul (2-D and batched) and the fused linear layer y = x·Wᵀ + b.</summary>
public static partial class Ops
{
    /// <summary>
    /// Matrix product. 2-D × 2-D; or batched (…, m, k) × (…, k, n) with equal batch dimensions;
    /// or batched × 2-D, which multiplies every matrix of the batch by the same right-hand side.
    /// </summary>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        if (a.Rank < 2 || b.Rank < 2) throw new ArgumentException($"matmul needs matrices, got {a.ShapeString} and {b.ShapeString}.");
        int m = a.Size(-2), k = a.Size(-1), n = b.Size(-1);
        if (b.Size(-2) != k) throw new ArgumentException($"matmul shape mismatch: {a.ShapeString} × {b.ShapeString} (inner sizes {k} and {b.Size(-2)}).");
        if (b.Rank == 2 && a.Rank > 2)
        {
            // (…, m, k) × (k, n): one GEMM over all rows.
            var flat = Reshape(a, -1, k);
            var prod = MatMul(flat, b);
            var outShape = a.Shape.ToArray();
            outShape[^1] = n;
            return Reshape(prod, outShape);
        }
        if (a.Rank != b.Rank || !a.Shape[..^2].SequenceEqual(b.Shape[..^2]))
            throw new ArgumentException($"matmul batch dimensions differ: {a.ShapeString} × {b.ShapeString}.");

        var ca = Contiguous(a);
        var cb = Contiguous(b);
        var shape = ca.Shape.ToArray();
        shape[^1] = n;
        var y = Tensor.Empty(shape);
        int batch = ca.Count / Math.Max(m * k, 1);
        if (m * k == 0) batch = y.Count / Math.Max(m * n, 1);
        BatchedGemm(false, false, batch, m, n, k, ca.Span, cb.Span, 0f, y.Span);
        if (AutogradEngine.ShouldRecord(ca, cb))
        {
            AutogradEngine.Record(y, "matmul", [ca, cb], g =>
            {
                if (ca.RequiresGrad)
                {
                    // dA = dY · Bᵀ
                    var ga = AutogradEngine.GradTarget(ca, out bool acc);
                    BatchedGemm(false, true, batch, m, k, n, g.Span, cb.Span, acc ? 1f : 0f, ga.Span);
                }
                if (cb.RequiresGrad)
                {
                    // dB = Aᵀ · dY
                    var gb = AutogradEngine.GradTarget(cb, out bool acc);
                    BatchedGemm(true, false, batch, k, n, m, ca.Span, g.Span, acc ? 1f : 0f, gb.Span);
                }
            });
        }
        return y;
    }

    /// <summary>C[i] = op(A[i])·op(B[i]) + beta·C[i] for each matrix of a batch (row-major, contiguous).</summary>
    private static void BatchedGemm(bool transA, bool transB, int batch, int m, int n, int k,
                                    ReadOnlySpan<float> a, ReadOnlySpan<float> b, float beta, Span<float> c)
    {
        int sa = m * k, sb = k * n, sc = m * n;
        for (int i = 0; i < batch; i++)
        {
            Gemm.Sgemm(transA, transB, m, n, k, 1f,
                       a.Slice(i * sa, sa), transA ? m : k,
                       b.Slice(i * sb, sb), transB ? k : n,
                       beta, c.Slice(i * sc, sc), n);
        }
    }

    /// <summary>
    /// PyTorch's F.linear: y = x·Wᵀ + b with W of shape [out, in], x of shape [..., in]. One GEMM
    /// forward; backward writes dW with beta = 1 (accumulate) or 0 (fresh), so no gradient is zeroed.
    /// </summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null)
    {
        if (weight.Rank != 2) throw new ArgumentException($"linear weight must be [out, in], got {weight.ShapeString}.");
        int outF = weight.Shape[0], inF = weight.Shape[1];
        if (x.Rank < 1 || x.Size(-1) != inF)
            throw new ArgumentException($"linear: input {x.ShapeString} has last dimension {(x.Rank > 0 ? x.Size(-1) : 0)}, the layer expects {inF} features (weight {weight.ShapeString}).");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != outF))
            throw new ArgumentException($"linear bias must be [{outF}], got {bias.ShapeString}.");
        var cx = Contiguous(x);
        var w = Contiguous(weight);
        int rows = cx.Count / Math.Max(inF, 1);
        var shape = cx.Shape.ToArray();
        shape[^1] = outF;
        var y = Tensor.Empty(shape);
        var ys = y.Span;
        float beta = 0f;
        if (bias is not null)
        {
            var bs = bias.Span;
            for (int r = 0; r < rows; r++) bs.CopyTo(ys.Slice(r * outF, outF));
            beta = 1f;
        }
        Gemm.Sgemm(false, true, rows, outF, inF, 1f, cx.Span, inF, w.Span, inF, beta, ys, outF);
        if (AutogradEngine.ShouldRecord(cx, w, bias))
        {
            AutogradEngine.Record(y, "linear", bias is null ? [cx, w] : [cx, w, bias], g =>
            {
                var gs = g.Span;
                if (cx.RequiresGrad)
                {
                    var gx = AutogradEngine.GradTarget(cx, out bool acc);
                    Gemm.Sgemm(false, false, rows, inF, outF, 1f, gs, outF, w.Span, inF, acc ? 1f : 0f, gx.Span, inF);
                }
                if (w.RequiresGrad)
                {
                    var gw = AutogradEngine.GradTarget(w, out bool acc);
                    Gemm.Sgemm(true, false, outF, inF, rows, 1f, gs, outF, cx.Span, inF, acc ? 1f : 0f, gw.Span, inF);
                }
                if (bias is not null && bias.RequiresGrad)
                {
                    var gb = AutogradEngine.GradTarget(bias, out bool acc);
                    var gbs = gb.Span;
                    if (!acc) gbs.Clear();
                    for (int r = 0; r < rows; r++) TensorPrimitives.Add(gbs, gs.Slice(r * outF, outF), gbs);
                }
            });
        }
        return y;
    }
}
