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
            for (int ch = 0; ch < c; ch++)
            {
                double sum = 0;
                for (int s = 0; s < n; s++) sum += TensorPrimitives.Sum(xs.Slice((s * c + ch) * l, l));
                float mu = (float)(sum / m);
                double sq = 0;
                for (int s = 0; s < n; s++) sq += SumSquaredDeviation(xs.Slice((s * c + ch) * l, l), mu);
                float variance = (float)(sq / m);
                mean[ch] = mu;
                invStd[ch] = 1f / MathF.Sqrt(variance + eps);
                if (runningMean is not null)
                {
                    var rm = runningMean.Span;
                    var rv = runningVar!.Span;
                    rm[ch] = (1f - momentum) * rm[ch] + momentum * mu;
                    rv[ch] = (1f - momentum) * rv[ch] + momentum * (float)(sq / (m - 1));
                }
            }
        }
        else
        {
            runningMean!.Span.CopyTo(mean);
            var rv = runningVar!.Span;
            for (int ch = 0; ch < c; ch++) invStd[ch] = 1f / MathF.Sqrt(rv[ch] + eps);
        }

        var y = Tensor.Empty(x.Shape);
        var ys = y.Span;
        for (int ch = 0; ch < c; ch++)
        {
            // y = x·scale + shift with scale = w·invStd, shift = b − mean·scale
            float scale = (wt is null ? 1f : wt.Span[ch]) * invStd[ch];
            float shift = (b is null ? 0f : b.Span[ch]) - mean[ch] * scale;
            for (int s = 0; s < n; s++)
            {
                int at = (s * c + ch) * l;
                ScaleShift(xs.Slice(at, l), scale, shift, ys.Slice(at, l));
            }
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
                for (int ch = 0; ch < c; ch++)
                {
                    // Σg and Σg·(x − mean) over the channel.
                    double sumG = 0, sumGx = 0;
                    for (int s = 0; s < n; s++)
                    {
                        int at = (s * c + ch) * l;
                        SumsForNormBackward(gs.Slice(at, l), xv.Slice(at, l), mu[ch], out float sg, out float sgx);
                        sumG += sg;
                        sumGx += sgx;
                    }
                    float sumGxhat = (float)sumGx * istd[ch];
                    if (!gw.IsEmpty) gw[ch] = accW ? gw[ch] + sumGxhat : sumGxhat;
                    if (!gb.IsEmpty) gb[ch] = accB ? gb[ch] + (float)sumG : (float)sumG;
                    if (gx.IsEmpty) continue;
                    float a = (wt is null ? 1f : wt.Span[ch]) * istd[ch];
                    // Training: dx = a·(g − Σg/m − x̂·Σg·x̂/m), x̂ = (x − mean)·invStd; eval: dx = a·g.
                    // Written as dx = a·g + bx·x + c0.
                    float bx = training ? -a * istd[ch] * sumGxhat / m : 0f;
                    float c0 = training ? -a * (float)sumG / m - bx * mu[ch] : 0f;
                    for (int s = 0; s < n; s++)
                    {
                        int at = (s * c + ch) * l;
                        AffineOfTwo(gs.Slice(at, l), xv.Slice(at, l), a, bx, c0, gx.Slice(at, l), accX);
                    }
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
