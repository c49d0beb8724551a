using Feynman.Tensors;

namespace Feynman.Autograd;

/// <summary>The contrastive loss of SimCLR (NT-Xent), forward beside its backward.</summary>
public static partial class Ops
{
    /// <summary>
    /// NT-Xent (Chen et al. 2020, SimCLR) of projections <paramref name="z"/> [2N, D] whose rows i and i + N are
    /// two views of the same sample: with u = z/‖z‖ and s_ik = u_i·u_k/τ, row i's loss is
    /// −log(exp(s_i,p(i)) / Σ_{k≠i} exp(s_ik)), p(i) = (i + N) mod 2N, and the loss is the mean over the 2N rows
    /// (the other 2N − 2 views of the batch are the negatives).
    /// </summary>
    public static Tensor NtXentLoss(Tensor z, float temperature = 0.5f)
    {
        const string op = "nt_xent_loss";
        if (z.Rank != 2 || z.Shape[0] < 2 || z.Shape[0] % 2 != 0)
            throw new ArgumentException($"{op}: projections must be [2N, D] with N >= 1 (views i and i + N paired), got {z.ShapeString}.");
        if (!(temperature > 0f) || !float.IsFinite(temperature))
            throw new ArgumentException($"{op}: temperature must be > 0, got {temperature}.");
        var x = Contiguous(z);
        int m = x.Shape[0], d = x.Shape[1], half = m / 2;
        var xs = x.Span;
        var u = new float[m * d];
        var norms = new float[m];
        for (int i = 0; i < m; i++)
        {
            // Clamp like F.normalize (eps 1e-12) so a zero row gives zeros, not NaN.
            float norm = norms[i] = MathF.Max(TensorPrimitives.Norm(xs.Slice(i * d, d)), 1e-12f);
            TensorPrimitives.Divide(xs.Slice(i * d, d), norm, u.AsSpan(i * d, d));
        }
        // p[i, k] = softmax over k ≠ i of s_ik (the diagonal 0), kept for the backward.
        var p = new float[m * m];
        float invT = 1f / temperature;
        double total = 0;
        for (int i = 0; i < m; i++)
        {
            var ui = u.AsSpan(i * d, d);
            var row = p.AsSpan(i * m, m);
            for (int k = 0; k < m; k++) row[k] = k == i ? float.NegativeInfinity : TensorPrimitives.Dot(ui, u.AsSpan(k * d, d)) * invT;
            int pos = (i + half) % m;
            float positive = row[pos];
            float lse = RowLogSumExp(row, row);
            // RowLogSumExp left exp(s − max) in the row; divide by its sum to get the softmax.
            TensorPrimitives.Divide(row, TensorPrimitives.Sum(row), row);
            total += lse - positive;
        }
        var y = Tensor.Scalar((float)(total / m));
        if (AutogradEngine.ShouldRecord(x))
        {
            AutogradEngine.Record(y, op, [x], g => WriteElementwiseGrad(x, dst =>
            {
                // G = ∂L/∂S = (P − onehot(p(i))) / 2N; ∂L/∂u_i = (Σ_k (G_ik + G_ki) u_k) / τ;
                // then through the normalisation: ∂L/∂z_i = (∂L/∂u_i − u_i (u_i·∂L/∂u_i)) / ‖z_i‖.
                float scale = g.Span[0] / m;
                for (int i = 0; i < m; i++) p[i * m + (i + half) % m] -= 1f;
                dst.Clear();
                for (int i = 0; i < m; i++)
                {
                    var di = dst.Slice(i * d, d);
                    for (int k = 0; k < m; k++)
                    {
                        if (k == i) continue;
                        float c = (p[i * m + k] + p[k * m + i]) * scale * invT;
                        TensorPrimitives.MultiplyAdd(u.AsSpan(k * d, d), c, di, di);
                    }
                    var ui = u.AsSpan(i * d, d);
                    float along = TensorPrimitives.Dot(ui, di);
                    TensorPrimitives.MultiplyAdd(ui, -along, di, di);
                    TensorPrimitives.Divide(di, norms[i], di);
                }
                for (int i = 0; i < m; i++) p[i * m + (i + half) % m] += 1f;
            }));
        }
        return y;
    }
}
