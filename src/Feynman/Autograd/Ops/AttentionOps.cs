using Feynman.Tensors;
using Feynman.Tensors.Kernels;

namespace Feynman.Autograd;

/// <summary>Scaled dot-product attention with a fused scale + mask + softmax, and its backward.</summary>
public static partial class Ops
{
    /// <summary>
    /// softmax(q·kᵀ·scale + mask)·v, as PyTorch 2's F.scaled_dot_product_attention without dropout.
    /// q [..., L, D], k [..., S, D], v [..., S, Dv] with equal leading dimensions (e.g. [B, H]);
    /// output [..., L, Dv]. <paramref name="attnMask"/> is added to the scores and broadcasts to
    /// [..., L, S] (use −∞ to hide a position); <paramref name="isCausal"/> hides key j from query i
    /// when j &gt; i (top-left aligned, as PyTorch). Scale defaults to 1/√D. A row with every key
    /// hidden gives NaN, as in PyTorch. The mask gets a gradient if it requires one.
    /// </summary>
    public static Tensor ScaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor? attnMask = null, bool isCausal = false, float? scale = null)
    {
        if (q.Rank < 2 || k.Rank != q.Rank || v.Rank != q.Rank)
            throw new ArgumentException($"scaled_dot_product_attention: q {q.ShapeString}, k {k.ShapeString}, v {v.ShapeString} must have the same rank (at least 2).");
        int l = q.Size(-2), d = q.Size(-1), s = k.Size(-2), dv = v.Size(-1);
        if (k.Size(-1) != d || v.Size(-2) != s || !q.Shape[..^2].SequenceEqual(k.Shape[..^2]) || !q.Shape[..^2].SequenceEqual(v.Shape[..^2]))
            throw new ArgumentException($"scaled_dot_product_attention: shapes do not fit: q {q.ShapeString} [..., L, D], k {k.ShapeString} [..., S, D], v {v.ShapeString} [..., S, Dv].");
        var scoreShape = q.Shape.ToArray();
        scoreShape[^1] = s;
        int[] maskStrides = [];
        if (attnMask is not null)
        {
            if (attnMask.Rank > scoreShape.Length || !TensorShape.SameShape(TensorShape.Broadcast(attnMask.Shape, scoreShape), scoreShape))
                throw new ArgumentException($"scaled_dot_product_attention: mask {attnMask.ShapeString} does not broadcast to the scores {TensorShape.Format(scoreShape)}.");
            maskStrides = TensorShape.BroadcastStrides(attnMask.Shape, attnMask.Strides, scoreShape);
        }
        float sc = scale ?? 1f / MathF.Sqrt(d);
        var cq = Contiguous(q);
        var ck = Contiguous(k);
        var cv = Contiguous(v);
        var lead = q.Shape[..^2].ToArray();
        int batch = TensorShape.Count(lead);

        var probs = Tensor.Empty(scoreShape); // softmax weights, kept for backward
        var outShape = q.Shape.ToArray();
        outShape[^1] = dv;
        var y = Tensor.Empty(outShape);
        var qs = cq.Span;
        var ks = ck.Span;
        var vs = cv.Span;
        var ps = probs.Span;
        var ys = y.Span;
        for (int i = 0; i < batch; i++)
        {
            var p = ps.Slice(i * l * s, l * s);
            Gemm.Sgemm(false, true, l, s, d, sc, qs.Slice(i * l * d, l * d), d, ks.Slice(i * s * d, s * d), d, 0f, p, s);
            MaskedSoftmaxRows(p, l, s, attnMask, maskStrides, lead, i, isCausal);
            Gemm.Sgemm(false, false, l, dv, s, 1f, p, s, vs.Slice(i * s * dv, s * dv), dv, 0f, ys.Slice(i * l * dv, l * dv), dv);
        }

        bool maskGrad = attnMask is not null && attnMask.RequiresGrad;
        if (AutogradEngine.ShouldRecord([cq, ck, cv]) || (GradMode.IsEnabled && maskGrad))
        {
            Tensor[] inputs = attnMask is null ? [cq, ck, cv] : [cq, ck, cv, attnMask];
            AutogradEngine.Record(y, "scaled_dot_product_attention", inputs, g =>
            {
                var gs = g.Span;
                var pr = probs.Span;
                var qs = cq.Span;
                var ks = ck.Span;
                var vs = cv.Span;
                Span<float> gq = default, gk = default, gv = default;
                bool accQ = false, accK = false, accV = false;
                // Fetched in the order each matrix's gradients are written below (v, q, k), so that when q, k
                // and v are one tensor the first write of every slice overwrites and the later ones add.
                if (cv.RequiresGrad) gv = AutogradEngine.GradTarget(cv, out accV).Span;
                if (cq.RequiresGrad) gq = AutogradEngine.GradTarget(cq, out accQ).Span;
                if (ck.RequiresGrad) gk = AutogradEngine.GradTarget(ck, out accK).Span;
                // Score gradients of every matrix when the mask needs them, else one matrix at a time.
                using var allScores = maskGrad ? Tensor.Empty(scoreShape) : null;
                var scratch = maskGrad ? null : BufferPool.Rent(l * s);
                try
                {
                    for (int i = 0; i < batch; i++)
                    {
                        var p = pr.Slice(i * l * s, l * s);
                        var go = gs.Slice(i * l * dv, l * dv);
                        if (!gv.IsEmpty) // dV = Pᵀ·dO
                            Gemm.Sgemm(true, false, s, dv, l, 1f, p, s, go, dv, accV ? 1f : 0f, gv.Slice(i * s * dv, s * dv), dv);
                        if (gq.IsEmpty && gk.IsEmpty && !maskGrad) continue;
                        var ds = maskGrad ? allScores!.Span.Slice(i * l * s, l * s) : scratch.AsSpan(0, l * s);
                        // dP = dO·Vᵀ, then the softmax backward dS = P∘(dP − rowsum(dP∘P)).
                        Gemm.Sgemm(false, true, l, s, dv, 1f, go, dv, vs.Slice(i * s * dv, s * dv), dv, 0f, ds, s);
                        for (int r = 0; r < l; r++)
                        {
                            var pRow = p.Slice(r * s, s);
                            var dRow = ds.Slice(r * s, s);
                            float dot = TensorPrimitives.Dot(pRow, dRow);
                            TensorPrimitives.Subtract(dRow, dot, dRow);
                            TensorPrimitives.Multiply(dRow, pRow, dRow);
                        }
                        if (!gq.IsEmpty) // dQ = scale·dS·K
                            Gemm.Sgemm(false, false, l, d, s, sc, ds, s, ks.Slice(i * s * d, s * d), d, accQ ? 1f : 0f, gq.Slice(i * l * d, l * d), d);
                        if (!gk.IsEmpty) // dK = scale·dSᵀ·Q
                            Gemm.Sgemm(true, false, s, d, l, sc, ds, s, qs.Slice(i * l * d, l * d), d, accK ? 1f : 0f, gk.Slice(i * s * d, s * d), d);
                    }
                    if (maskGrad) ReduceGradToShape(attnMask!, allScores!);
                }
                finally
                {
                    if (scratch is not null) BufferPool.Return(scratch);
                }
            });
        }
        else probs.Dispose();
        return y;
    }

    /// <summary>
    /// Adds the mask (and the causal −∞ above the diagonal) to score matrix number <paramref name="matrix"/>
    /// ([l, s]), then softmaxes each row in place. <paramref name="lead"/> holds the scores' leading dimensions.
    /// </summary>
    private static void MaskedSoftmaxRows(Span<float> p, int l, int s, Tensor? mask, int[] maskStrides, int[] lead, int matrix, bool causal)
    {
        int maskBase = 0, strideRow = 0, strideCol = 0;
        float[]? maskData = null;
        if (mask is not null)
        {
            // Offset of this matrix in the broadcast mask: decompose its index over the leading dimensions.
            maskBase = mask.Offset;
            for (int dim = lead.Length - 1, rest = matrix; dim >= 0; dim--)
            {
                maskBase += rest % lead[dim] * maskStrides[dim];
                rest /= lead[dim];
            }
            strideRow = maskStrides[^2];
            strideCol = maskStrides[^1];
            maskData = mask.Storage.Array;
        }
        for (int r = 0; r < l; r++)
        {
            var row = p.Slice(r * s, s);
            if (maskData is not null)
            {
                int at = maskBase + r * strideRow;
                if (strideCol == 1) TensorPrimitives.Add(row, maskData.AsSpan(at, s), row);
                else if (strideCol == 0) TensorPrimitives.Add(row, maskData[at], row);
                else for (int j = 0; j < s; j++) row[j] += maskData[at + j * strideCol];
            }
            if (causal && r + 1 < s) row[(r + 1)..].Fill(float.NegativeInfinity);
            float max = TensorPrimitives.Max(row);
            TensorPrimitives.Subtract(row, max, row);
            TensorPrimitives.Exp(row, row);
            float sum = TensorPrimitives.Sum(row);
            TensorPrimitives.Divide(row, sum, row);
        }
    }
}
