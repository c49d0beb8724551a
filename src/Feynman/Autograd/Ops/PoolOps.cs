using System.Runtime.InteropServices;
using Feynman.Tensors;
using Feynman.Tensors.Kernels;

namespace Feynman.Autograd;

/// <summary>2-D max and average pooling over [N, C, H, W] (or [C, H, W]) inputs.</summary>
public static partial class Ops
{
    /// <summary>PyTorch's F.max_pool2d with a square window; stride defaults to the kernel size.</summary>
    public static Tensor MaxPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0) =>
        MaxPool2d(input, (kernelSize, kernelSize), stride is { } s ? (s, s) : null, (padding, padding));

    /// <summary>
    /// PyTorch's F.max_pool2d (floor mode, dilation 1). Padding counts as −∞. The position of each
    /// maximum is kept for backward, which routes the whole gradient to it (the first maximum on ties).
    /// </summary>
    public static Tensor MaxPool2d(Tensor input, (int H, int W) kernelSize, (int H, int W)? stride = null, (int H, int W) padding = default)
    {
        var p = PoolGeometry.Create("max_pool2d", input, kernelSize, stride ?? kernelSize, padding);
        var x = Contiguous(input);
        var y = Tensor.Empty(p.OutputShape(x));
        // Argmax positions within each input plane, stored as ints in a pooled float buffer.
        var argmax = Tensor.Empty(y.Shape);
        MaxPoolForward(p, x.Span, y.Span, MemoryMarshal.Cast<float, int>(argmax.Span));
        if (AutogradEngine.ShouldRecord(x))
        {
            AutogradEngine.Record(y, "max_pool2d", [x], g =>
            {
                var t = AutogradEngine.GradTarget(x, out bool acc);
                var ts = t.Span;
                if (!acc) ts.Clear();
                var gs = g.Span;
                var idx = MemoryMarshal.Cast<float, int>(argmax.Span);
                int hw = p.H * p.W, ohw = p.Oh * p.Ow;
                for (int plane = 0; plane < p.Planes; plane++)
                {
                    var tp = ts.Slice(plane * hw, hw);
                    var gp = gs.Slice(plane * ohw, ohw);
                    var ip = idx.Slice(plane * ohw, ohw);
                    for (int i = 0; i < gp.Length; i++) tp[ip[i]] += gp[i];
                }
            });
        }
        else argmax.Dispose();
        return y;
    }

    private static void MaxPoolForward(in PoolGeometry p, ReadOnlySpan<float> x, Span<float> y, Span<int> argmax)
    {
        int hw = p.H * p.W, ohw = p.Oh * p.Ow;
        bool fast2x2 = p.Kh == 2 && p.Kw == 2 && p.Sh == 2 && p.Sw == 2 && p.Ph == 0 && p.Pw == 0;
        for (int plane = 0; plane < p.Planes; plane++)
        {
            var xp = x.Slice(plane * hw, hw);
            var yp = y.Slice(plane * ohw, ohw);
            var ip = argmax.Slice(plane * ohw, ohw);
            if (fast2x2)
            {
                // The benchmark's pool: four candidates, first maximum wins as in PyTorch.
                for (int oy = 0; oy < p.Oh; oy++)
                {
                    int r0 = 2 * oy * p.W, r1 = r0 + p.W;
                    for (int ox = 0; ox < p.Ow; ox++)
                    {
                        int i0 = r0 + 2 * ox, i1 = i0 + 1, i2 = r1 + 2 * ox, i3 = i2 + 1;
                        float best = xp[i0];
                        int at = i0;
                        if (xp[i1] > best || float.IsNaN(xp[i1])) { best = xp[i1]; at = i1; }
                        if (xp[i2] > best || float.IsNaN(xp[i2])) { best = xp[i2]; at = i2; }
                        if (xp[i3] > best || float.IsNaN(xp[i3])) { best = xp[i3]; at = i3; }
                        yp[oy * p.Ow + ox] = best;
                        ip[oy * p.Ow + ox] = at;
                    }
                }
                continue;
            }
            for (int oy = 0; oy < p.Oh; oy++)
            {
                int y0 = oy * p.Sh - p.Ph, y1 = Math.Min(y0 + p.Kh, p.H);
                y0 = Math.Max(y0, 0);
                for (int ox = 0; ox < p.Ow; ox++)
                {
                    int x0 = ox * p.Sw - p.Pw, x1 = Math.Min(x0 + p.Kw, p.W);
                    x0 = Math.Max(x0, 0);
                    float best = float.NegativeInfinity;
                    int at = y0 * p.W + x0;
                    for (int iy = y0; iy < y1; iy++)
                    {
                        for (int ix = x0; ix < x1; ix++)
                        {
                            float v = xp[iy * p.W + ix];
                            if (v > best || float.IsNaN(v)) { best = v; at = iy * p.W + ix; if (float.IsNaN(v)) goto done; }
                        }
                    }
                done:
                    yp[oy * p.Ow + ox] = best;
                    ip[oy * p.Ow + ox] = at;
                }
            }
        }
    }

    /// <summary>PyTorch's F.avg_pool2d with a square window; stride defaults to the kernel size.</summary>
    public static Tensor AvgPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0, bool countIncludePad = true) =>
        AvgPool2d(input, (kernelSize, kernelSize), stride is { } s ? (s, s) : null, (padding, padding), countIncludePad);

    /// <summary>
    /// PyTorch's F.avg_pool2d (floor mode). With <paramref name="countIncludePad"/> (the default) every
    /// window divides by kh·kw; otherwise by the number of input elements it covers.
    /// </summary>
    public static Tensor AvgPool2d(Tensor input, (int H, int W) kernelSize, (int H, int W)? stride = null, (int H, int W) padding = default,
                                   bool countIncludePad = true)
    {
        var p = PoolGeometry.Create("avg_pool2d", input, kernelSize, stride ?? kernelSize, padding);
        var x = Contiguous(input);
        var y = Tensor.Empty(p.OutputShape(x));
        AvgPoolApply(p, countIncludePad, x.Span, y.Span, backward: false);
        if (AutogradEngine.ShouldRecord(x))
        {
            AutogradEngine.Record(y, "avg_pool2d", [x], g =>
            {
                var t = AutogradEngine.GradTarget(x, out bool acc);
                if (!acc) t.Span.Clear();
                AvgPoolApply(p, countIncludePad, t.Span, g.Span, backward: true);
            });
        }
        return y;
    }

    /// <summary>Forward: y = window means of x. Backward: x += each y spread evenly over its window.</summary>
    private static void AvgPoolApply(in PoolGeometry p, bool countIncludePad, Span<float> x, Span<float> y, bool backward)
    {
        int hw = p.H * p.W, ohw = p.Oh * p.Ow;
        for (int plane = 0; plane < p.Planes; plane++)
        {
            var xp = x.Slice(plane * hw, hw);
            var yp = y.Slice(plane * ohw, ohw);
            for (int oy = 0; oy < p.Oh; oy++)
            {
                int y0 = oy * p.Sh - p.Ph, y1 = Math.Min(y0 + p.Kh, p.H);
                y0 = Math.Max(y0, 0);
                for (int ox = 0; ox < p.Ow; ox++)
                {
                    int x0 = ox * p.Sw - p.Pw, x1 = Math.Min(x0 + p.Kw, p.W);
                    x0 = Math.Max(x0, 0);
                    // Floor mode keeps every window inside the padded input, so the padded window is kh·kw.
                    int divisor = countIncludePad ? p.Kh * p.Kw : (y1 - y0) * (x1 - x0);
                    if (backward)
                    {
                        float share = yp[oy * p.Ow + ox] / divisor;
                        for (int iy = y0; iy < y1; iy++)
                            for (int ix = x0; ix < x1; ix++) xp[iy * p.W + ix] += share;
                    }
                    else
                    {
                        float sum = 0f;
                        for (int iy = y0; iy < y1; iy++)
                            for (int ix = x0; ix < x1; ix++) sum += xp[iy * p.W + ix];
                        yp[oy * p.Ow + ox] = sum / divisor;
                    }
                }
            }
        }
    }

    private readonly record struct PoolGeometry(int Planes, int H, int W, int Kh, int Kw, int Sh, int Sw, int Ph, int Pw, int Oh, int Ow)
    {
        public static PoolGeometry Create(string op, Tensor x, (int H, int W) k, (int H, int W) s, (int H, int W) pad)
        {
            if (x.Rank is not (3 or 4)) throw new ArgumentException($"{op}: input must be [N, C, H, W] or [C, H, W], got {x.ShapeString}.");
            if (k.H < 1 || k.W < 1) throw new ArgumentException($"{op}: kernel size ({k.H}, {k.W}) must be positive.");
            if (s.H < 1 || s.W < 1) throw new ArgumentException($"{op}: stride ({s.H}, {s.W}) must be positive.");
            if (pad.H < 0 || pad.W < 0 || pad.H > k.H / 2 || pad.W > k.W / 2)
                throw new ArgumentException($"{op}: padding ({pad.H}, {pad.W}) must be between 0 and half the kernel size ({k.H}, {k.W}).");
            int h = x.Size(-2), w = x.Size(-1);
            if (h + 2 * pad.H < k.H || w + 2 * pad.W < k.W)
                throw new ArgumentException($"{op}: kernel ({k.H}, {k.W}) is larger than input {x.ShapeString} padded by ({pad.H}, {pad.W}).");
            int oh = ConvKernels.OutputSize(h, k.H, s.H, pad.H), ow = ConvKernels.OutputSize(w, k.W, s.W, pad.W);
            return new PoolGeometry(x.Count / Math.Max(1, h * w), h, w, k.H, k.W, s.H, s.W, pad.H, pad.W, oh, ow);
        }

        public int[] OutputShape(Tensor x)
        {
            var shape = x.Shape.ToArray();
            shape[^2] = Oh;
            shape[^1] = Ow;
            return shape;
        }
    }
}
