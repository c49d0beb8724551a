using System.Numerics;
using Feynman.Tensors;

namespace Feynman.Autograd;

/// <summary>Batch normalisation and layer normalisation, forward beside backward.</summary>
public static partial class Ops
{
    /// <summary>
    /// PyTorch's F.batch_norm over [N, C], [N, C, L] or [N, C, H, W]. In training it normalises with
    /// the batch statistics (biased variance) and, when given, updates the running statistics in
    /// place: mean ← (1 − momentum)·mean + momentum·batch mean, var likewise with the unbiased batch
    /// variance. In evaluation it normalises with the running statistics, which must be given.
    /// Running statistics never receive gradients.
    /// </summary>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
                                   bool training = false, float momentum = 0.1f, float eps = 1e-5f)
    {
        if (input.Rank < 2) throw new ArgumentException($"batch_norm: input must be [N, C, ...], got {input.ShapeString}.");
        int n = input.Shape[0], c = input.Shape[1];
        int l = n * c == 0 ? 0 : input.Count / (n * c);
        CheckChannelVector("batch_norm", "running_mean", runningMean, c, input);
        CheckChannelVector("batch_norm", "running_var", runningVar, c, input);
        CheckChannelVector("batch_norm", "weight", weight, c, input);
        CheckChannelVector("batch_norm", "bias", bias, c, input);
        if ((runningMean is null) != (runningVar is null))
            throw new ArgumentException("batch_norm: give both running_mean and running_var, or neither.");
        if (!training && runningMean is null)
            throw new ArgumentException("batch_norm: evaluation mode needs running_mean and running_var.");
        int m = n * l; // values per channel
        if (training && m <= 1)
            throw new ArgumentException($"batch_norm: training needs more than one value per channel, input {input.ShapeString} has {m}.");

        var x = Contiguous(input);
        var wt = weight is null ? null : Contiguous(weight);
        var b = bias is null ? null : Contiguous(bias);
        var xs = x.Span;
        // Per channel: mean, then 1/sqrt(var + eps) — from the batch in training, from the running stats in eval.
        var stats = Tensor.Empty(2, c);
        var mean = stats.Span[..c];
        var invStd = stats.Span[c..];
        if (training)
        {
            var scratch = BufferPool.Rent(2 * c);
            var sq = scratch.AsSpan(0, c);
            if (l == 1) BatchStatsRows(xs, n, c, mean, sq, scratch.AsSpan(c, c));
            for (int ch = 0; ch < c; ch++)
            {
                if (l != 1)
                {
                    double sum = 0;
                    for (int s = 0; s < n; s++) sum += TensorPrimitives.Sum(xs.Slice((s * c + ch) * l, l));
                    mean[ch] = (float)(sum / m);
                    double dev = 0;
                    for (int s = 0; s < n; s++) dev += SumSquaredDeviation(xs.Slice((s * c + ch) * l, l), mean[ch]);
                    sq[ch] = (float)dev;
                }
                invStd[ch] = 1f / MathF.Sqrt(sq[ch] / m + eps);
                if (runningMean is not null)
                {
                    var rm = runningMean.Span;
                    var rv = runningVar!.Span;
                    rm[ch] = (1f - momentum) * rm[ch] + momentum * mean[ch];
                    rv[ch] = (1f - momentum) * rv[ch] + momentum * (sq[ch] / (m - 1));
                }
            }
            BufferPool.Return(scratch);
        }
        else
        {
            runningMean!.Span.CopyTo(mean);
            var rv = runningVar!.Span;
            for (int ch = 0; ch < c; ch++) invStd[ch] = 1f / MathF.Sqrt(rv[ch] + eps);
        }

        var y = Tensor.Empty(x.Shape);
        var ys = y.Span;
        {
            // y = x·scale + shift with scale = w·invStd, shift = b − mean·scale
            var coef = BufferPool.Rent(2 * c);
            var scale = coef.AsSpan(0, c);
            var shift = coef.AsSpan(c, c);
            for (int ch = 0; ch < c; ch++)
            {
                scale[ch] = (wt is null ? 1f : wt.Span[ch]) * invStd[ch];
                shift[ch] = (b is null ? 0f : b.Span[ch]) - mean[ch] * scale[ch];
            }
            for (int s = 0; s < n; s++)
            {
                if (l == 1) TensorPrimitives.MultiplyAdd(xs.Slice(s * c, c), scale, shift, ys.Slice(s * c, c));
                else
                    for (int ch = 0; ch < c; ch++)
                        ScaleShift(xs.Slice((s * c + ch) * l, l), scale[ch], shift[ch], ys.Slice((s * c + ch) * l, l));
            }
            BufferPool.Return(coef);
        }

        if (AutogradEngine.ShouldRecord(x, wt, b))
        {
            Tensor[] inputs = [x, .. wt is null ? Array.Empty<Tensor>() : [wt], .. b is null ? Array.Empty<Tensor>() : [b]];
            AutogradEngine.Record(y, "batch_norm", inputs, g =>
            {
                var gs = g.Span;
                var xv = x.Span;
                var mu = stats.Span[..c];
                var istd = stats.Span[c..];
                Span<float> gw = default, gb = default, gx = default;
                bool accW = false, accB = false, accX = false;
                if (wt is not null && wt.RequiresGrad) gw = AutogradEngine.GradTarget(wt, out accW).Span;
                if (b is not null && b.RequiresGrad) gb = AutogradEngine.GradTarget(b, out accB).Span;
                if (x.RequiresGrad) gx = AutogradEngine.GradTarget(x, out accX).Span;
                var work = BufferPool.Rent(5 * c);
                try
                {
                    var sumG = work.AsSpan(0, c);
                    var sumGx = work.AsSpan(c, c); // Σg·(x − mean)
                    var a = work.AsSpan(2 * c, c);
                    var bx = work.AsSpan(3 * c, c);
                    var c0 = work.AsSpan(4 * c, c);
                    if (l == 1) NormBackwardSumsRows(gs, xv, n, c, mu, sumG, sumGx, c0);
                    else
                    {
                        for (int ch = 0; ch < c; ch++)
                        {
                            double sg = 0, sgx = 0;
                            for (int s = 0; s < n; s++)
                            {
                                int at = (s * c + ch) * l;
                                SumsForNormBackward(gs.Slice(at, l), xv.Slice(at, l), mu[ch], out float g1, out float g2);
                                sg += g1;
                                sgx += g2;
                            }
                            sumG[ch] = (float)sg;
                            sumGx[ch] = (float)sgx;
                        }
                    }
                    for (int ch = 0; ch < c; ch++)
                    {
                        float sumGxhat = sumGx[ch] * istd[ch];
                        if (!gw.IsEmpty) gw[ch] = accW ? gw[ch] + sumGxhat : sumGxhat;
                        if (!gb.IsEmpty) gb[ch] = accB ? gb[ch] + sumG[ch] : sumG[ch];
                        // Training: dx = a·(g − Σg/m − x̂·Σg·x̂/m), x̂ = (x − mean)·invStd; eval: dx = a·g.
                        // Written as dx = a·g + bx·x + c0.
                        a[ch] = (wt is null ? 1f : wt.Span[ch]) * istd[ch];
                        bx[ch] = training ? -a[ch] * istd[ch] * sumGxhat / m : 0f;
                        c0[ch] = training ? -a[ch] * sumG[ch] / m - bx[ch] * mu[ch] : 0f;
                    }
                    if (gx.IsEmpty) return;
                    for (int s = 0; s < n; s++)
                    {
                        if (l == 1)
                        {
                            var row = gx.Slice(s * c, c);
                            var tmp = sumG; // no longer needed: reuse as the row buffer
                            TensorPrimitives.MultiplyAdd(gs.Slice(s * c, c), a, c0, tmp);
                            if (accX) TensorPrimitives.Add(row, tmp, row);
                            if (accX) TensorPrimitives.MultiplyAdd(xv.Slice(s * c, c), bx, row, row);
                            else TensorPrimitives.MultiplyAdd(xv.Slice(s * c, c), bx, tmp, row);
                        }
                        else
                            for (int ch = 0; ch < c; ch++)
                            {
                                int at = (s * c + ch) * l;
                                AffineOfTwo(gs.Slice(at, l), xv.Slice(at, l), a[ch], bx[ch], c0[ch], gx.Slice(at, l), accX);
                            }
                    }
                }
                finally
                {
                    BufferPool.Return(work);
                }
            });
        }
        else stats.Dispose();
        return y;
    }

    /// <summary>
    /// PyTorch's F.layer_norm: normalises over the last dimensions given by <paramref name="normalizedShape"/>
    /// (biased variance), then scales by weight and shifts by bias (both of that shape, optional).
    /// </summary>
    public static Tensor LayerNorm(Tensor input, ReadOnlySpan<int> normalizedShape, Tensor? weight = null, Tensor? bias = null, float eps = 1e-5f)
    {
        int k = normalizedShape.Length;
        if (k == 0 || k > input.Rank || !input.Shape[^k..].SequenceEqual(normalizedShape))
            throw new ArgumentException($"layer_norm: normalized shape {TensorShape.Format(normalizedShape)} does not match the last dimensions of input {input.ShapeString}.");
        if (weight is not null && !TensorShape.SameShape(weight.Shape, normalizedShape))
            throw new ArgumentException($"layer_norm: weight {weight.ShapeString} must have the normalized shape {TensorShape.Format(normalizedShape)}.");
        if (bias is not null && !TensorShape.SameShape(bias.Shape, normalizedShape))
            throw new ArgumentException($"layer_norm: bias {bias.ShapeString} must have the normalized shape {TensorShape.Format(normalizedShape)}.");
        int m = TensorShape.Count(normalizedShape);
        var x = Contiguous(input);
        var wt = weight is null ? null : Contiguous(weight);
        var b = bias is null ? null : Contiguous(bias);
        int rows = m == 0 ? 0 : x.Count / m;
        var xs = x.Span;
        var y = Tensor.Empty(x.Shape);
        var ys = y.Span;
        var stats = Tensor.Empty(2, Math.Max(rows, 1)); // per row: mean, 1/std
        var mean = stats.Span[..rows];
        var invStd = stats.Span.Slice(stats.Shape[1], rows);
        for (int r = 0; r < rows; r++)
        {
            var xr = xs.Slice(r * m, m);
            var yr = ys.Slice(r * m, m);
            float mu = TensorPrimitives.Sum(xr) / m;
            float istd = 1f / MathF.Sqrt(SumSquaredDeviation(xr, mu) / m + eps);
            mean[r] = mu;
            invStd[r] = istd;
            ScaleShift(xr, istd, -mu * istd, yr); // x̂
            if (wt is not null) TensorPrimitives.Multiply(yr, wt.Span, yr);
            if (b is not null) TensorPrimitives.Add(yr, b.Span, yr);
        }

        if (AutogradEngine.ShouldRecord(x, wt, b))
        {
            Tensor[] inputs = [x, .. wt is null ? Array.Empty<Tensor>() : [wt], .. b is null ? Array.Empty<Tensor>() : [b]];
            AutogradEngine.Record(y, "layer_norm", inputs, g =>
            {
                var gs = g.Span;
                var xv = x.Span;
                var mu = stats.Span[..rows];
                var istd = stats.Span.Slice(stats.Shape[1], rows);
                Span<float> gw = default, gb = default, gx = default;
                bool accX = false;
                if (wt is not null && wt.RequiresGrad)
                {
                    gw = AutogradEngine.GradTarget(wt, out bool acc).Span;
                    if (!acc) gw.Clear();
                }
                if (b is not null && b.RequiresGrad)
                {
                    gb = AutogradEngine.GradTarget(b, out bool acc).Span;
                    if (!acc) gb.Clear();
                }
                if (x.RequiresGrad) gx = AutogradEngine.GradTarget(x, out accX).Span;
                var scratch = BufferPool.Rent(2 * m);
                try
                {
                    var xhat = scratch.AsSpan(0, m);
                    var dxhat = scratch.AsSpan(m, m);
                    for (int r = 0; r < rows; r++)
                    {
                        var gr = gs.Slice(r * m, m);
                        ScaleShift(xv.Slice(r * m, m), istd[r], -mu[r] * istd[r], xhat);
                        if (!gb.IsEmpty) TensorPrimitives.Add(gb, gr, gb);
                        if (!gw.IsEmpty) TensorPrimitives.MultiplyAdd(gr, xhat, gw, gw);
                        if (gx.IsEmpty) continue;
                        // dx = invStd·(d − mean(d) − x̂·mean(d·x̂)), d = g·w
                        if (wt is null) gr.CopyTo(dxhat); else TensorPrimitives.Multiply(gr, wt.Span, dxhat);
                        float meanD = TensorPrimitives.Sum(dxhat) / m;
                        float meanDx = TensorPrimitives.Dot(dxhat, xhat) / m;
                        var gxr = gx.Slice(r * m, m);
                        // dxhat ← invStd·dxhat − invStd·meanDx·x̂ − invStd·meanD
                        TensorPrimitives.Multiply(xhat, -istd[r] * meanDx, xhat);
                        TensorPrimitives.MultiplyAdd(dxhat, istd[r], xhat, dxhat);
                        TensorPrimitives.Add(dxhat, -istd[r] * meanD, dxhat);
                        if (accX) TensorPrimitives.Add(gxr, dxhat, gxr); else dxhat.CopyTo(gxr);
                    }
                }
                finally
                {
                    BufferPool.Return(scratch);
                }
            });
        }
        else stats.Dispose();
        return y;
    }

    /// <summary>Per-column mean and Σ(x − mean)² of an [n, c] matrix, a row at a time (vectorised across channels).</summary>
    private static void BatchStatsRows(ReadOnlySpan<float> x, int n, int c, Span<float> mean, Span<float> sq, Span<float> tmp)
    {
        mean.Clear();
        for (int s = 0; s < n; s++) TensorPrimitives.Add(mean, x.Slice(s * c, c), mean);
        TensorPrimitives.Divide(mean, n, mean);
        sq.Clear();
        for (int s = 0; s < n; s++)
        {
            TensorPrimitives.Subtract(x.Slice(s * c, c), mean, tmp);
            TensorPrimitives.MultiplyAdd(tmp, tmp, sq, sq);
        }
    }

    /// <summary>Per-column Σg and Σg·(x − mean) of [n, c] matrices, a row at a time.</summary>
    private static void NormBackwardSumsRows(ReadOnlySpan<float> g, ReadOnlySpan<float> x, int n, int c, ReadOnlySpan<float> mean,
                                             Span<float> sumG, Span<float> sumGx, Span<float> tmp)
    {
        sumG.Clear();
        sumGx.Clear();
        for (int s = 0; s < n; s++)
        {
            var gr = g.Slice(s * c, c);
            TensorPrimitives.Add(sumG, gr, sumG);
            TensorPrimitives.Subtract(x.Slice(s * c, c), mean, tmp);
            TensorPrimitives.MultiplyAdd(gr, tmp, sumGx, sumGx);
        }
    }

    private static void CheckChannelVector(string op, string name, Tensor? t, int channels, Tensor input)
    {
        if (t is null) return;
        if (t.Rank != 1 || t.Shape[0] != channels)
            throw new ArgumentException($"{op}: {name} must be [{channels}] for input {input.ShapeString}, got {t.ShapeString}.");
        if (!t.IsContiguous) throw new ArgumentException($"{op}: {name} {t.ShapeString} must be contiguous.");
    }

    /// <summary>Σ (x − mean)², vectorised.</summary>
    private static float SumSquaredDeviation(ReadOnlySpan<float> x, float mean)
    {
        int i = 0;
        var acc = Vector<float>.Zero;
        var mv = new Vector<float>(mean);
        for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var d = new Vector<float>(x.Slice(i)) - mv;
            acc += d * d;
        }
        float sum = Vector.Sum(acc);
        for (; i < x.Length; i++) { float d = x[i] - mean; sum += d * d; }
        return sum;
    }

    /// <summary>Σg and Σg·(x − mean), vectorised.</summary>
    private static void SumsForNormBackward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, float mean, out float sumG, out float sumGx)
    {
        int i = 0;
        var ag = Vector<float>.Zero;
        var agx = Vector<float>.Zero;
        var mv = new Vector<float>(mean);
        for (; i <= g.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var gv = new Vector<float>(g.Slice(i));
            ag += gv;
            agx += gv * (new Vector<float>(x.Slice(i)) - mv);
        }
        sumG = Vector.Sum(ag);
        sumGx = Vector.Sum(agx);
        for (; i < g.Length; i++) { sumG += g[i]; sumGx += g[i] * (x[i] - mean); }
    }

    /// <summary>dst = x·scale + shift, vectorised.</summary>
    private static void ScaleShift(ReadOnlySpan<float> x, float scale, float shift, Span<float> dst)
    {
        int i = 0;
        var sv = new Vector<float>(scale);
        var hv = new Vector<float>(shift);
        for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            (new Vector<float>(x.Slice(i)) * sv + hv).CopyTo(dst.Slice(i));
        for (; i < x.Length; i++) dst[i] = x[i] * scale + shift;
    }

    /// <summary>dst = a·g + b·x + c, or dst += that when <paramref name="accumulate"/>.</summary>
    private static void AffineOfTwo(ReadOnlySpan<float> g, ReadOnlySpan<float> x, float a, float b, float c, Span<float> dst, bool accumulate)
    {
        int i = 0;
        var av = new Vector<float>(a);
        var bv = new Vector<float>(b);
        var cv = new Vector<float>(c);
        for (; i <= g.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var v = av * new Vector<float>(g.Slice(i)) + bv * new Vector<float>(x.Slice(i)) + cv;
            if (accumulate) v += new Vector<float>(dst.Slice(i));
            v.CopyTo(dst.Slice(i));
        }
        for (; i < g.Length; i++)
        {
            float v = a * g[i] + b * x[i] + c;
            dst[i] = accumulate ? dst[i] + v : v;
        }
    }
}
