using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
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
        PoolJob.Run(p, backward: false, x.Span, y.Span, MemoryMarshal.Cast<float, int>(argmax.Span));
        if (AutogradEngine.ShouldRecord(x))
        {
            AutogradEngine.Record(y, "max_pool2d", [x], g =>
            {
                var t = AutogradEngine.GradTarget(x, out bool acc);
                var ts = t.Span;
                var gs = g.Span;
                var idx = MemoryMarshal.Cast<float, int>(argmax.Span);
                int hw = p.H * p.W, ohw = p.Oh * p.Ow;
                if (!acc && p.IsFast2x2 && Avx2.IsSupported && p.Ow >= 8)
                {
                    // Windows tile the input: write every element once (the gradient or 0) instead of clearing and scattering.
                    if ((p.H | p.W) % 2 != 0) ts.Clear();
                    PoolJob.Run(p, backward: true, gs, ts, idx);
                    return;
                }
                if (!acc) ts.Clear();
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
        bool fast2x2 = p.IsFast2x2;
        for (int plane = 0; plane < p.Planes; plane++)
        {
            var xp = x.Slice(plane * hw, hw);
            var yp = y.Slice(plane * ohw, ohw);
            var ip = argmax.Slice(plane * ohw, ohw);
            if (fast2x2)
            {
                for (int oy = 0; oy < p.Oh; oy++)
                    MaxPool2x2Row(xp, 2 * oy * p.W, p.W, yp.Slice(oy * p.Ow, p.Ow), ip.Slice(oy * p.Ow, p.Ow));
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
                            if (v > best || float.IsNaN(v)) { best = v; at = iy * p.W + ix; }
                        }
                    }
                    yp[oy * p.Ow + ox] = best;
                    ip[oy * p.Ow + ox] = at;
                }
            }
        }
    }

    /// <summary>
    /// One output row of a 2x2, stride-2 max pool (the benchmark's pool): the four candidates in
    /// PyTorch's order, a later one winning when greater or NaN. Eight outputs per AVX step.
    /// </summary>
    private static void MaxPool2x2Row(ReadOnlySpan<float> plane, int r0, int w, Span<float> y, Span<int> argmax)
    {
        int ox = 0, ow = y.Length;
        if (Avx2.IsSupported && ow >= 8)
        {
            ref float x0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(plane), r0);
            ref float yRef = ref MemoryMarshal.GetReference(y);
            ref int iRef = ref MemoryMarshal.GetReference(argmax);
            for (; ox <= ow - 8; ox += 8) MaxPool2x2Avx(ref x0, r0, w, ox, ref yRef, ref iRef);
            // The last outputs: one more step ending at the row's end, overlapping outputs already written.
            if (ox < ow) MaxPool2x2Avx(ref x0, r0, w, ow - 8, ref yRef, ref iRef);
            return;
        }
        if (Sse41.IsSupported && ow >= 4)
        {
            ref float x0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(plane), r0);
            ref float yRef = ref MemoryMarshal.GetReference(y);
            ref int iRef = ref MemoryMarshal.GetReference(argmax);
            for (; ox <= ow - 4; ox += 4) MaxPool2x2Sse(ref x0, r0, w, ox, ref yRef, ref iRef);
            if (ox < ow) MaxPool2x2Sse(ref x0, r0, w, ow - 4, ref yRef, ref iRef);
            return;
        }
        for (; ox < ow; ox++)
        {
            int i0 = r0 + 2 * ox, i1 = i0 + 1, i2 = i0 + w, i3 = i2 + 1;
            float best = plane[i0];
            int at = i0;
            if (plane[i1] > best || float.IsNaN(plane[i1])) { best = plane[i1]; at = i1; }
            if (plane[i2] > best || float.IsNaN(plane[i2])) { best = plane[i2]; at = i2; }
            if (plane[i3] > best || float.IsNaN(plane[i3])) { best = plane[i3]; at = i3; }
            y[ox] = best;
            argmax[ox] = at;
        }
    }

    /// <summary>Outputs ox..ox+7 of one 2x2 max-pool row; x0 points at the first of its two input rows (plane index r0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MaxPool2x2Avx(ref float x0, int r0, int w, int ox, ref float yRef, ref int iRef)
    {
        int c = 2 * ox;
        var a0 = Vector256.LoadUnsafe(ref x0, (nuint)c);
        var a1 = Vector256.LoadUnsafe(ref x0, (nuint)(c + 8));
        var b0 = Vector256.LoadUnsafe(ref x0, (nuint)(c + w));
        var b1 = Vector256.LoadUnsafe(ref x0, (nuint)(c + w + 8));
        // Even and odd columns of each row, in order (shuffle works per 128-bit lane; the permute undoes that).
        var e0 = Avx2.Permute4x64(Avx.Shuffle(a0, a1, 0x88).AsDouble(), 0xD8).AsSingle();
        var o0 = Avx2.Permute4x64(Avx.Shuffle(a0, a1, 0xDD).AsDouble(), 0xD8).AsSingle();
        var e1 = Avx2.Permute4x64(Avx.Shuffle(b0, b1, 0x88).AsDouble(), 0xD8).AsSingle();
        var o1 = Avx2.Permute4x64(Avx.Shuffle(b0, b1, 0xDD).AsDouble(), 0xD8).AsSingle();
        var i0 = Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14) + Vector256.Create(r0 + c);
        var best = e0;
        var at = i0.AsSingle();
        var take = Avx.Or(Avx.CompareGreaterThan(o0, best), Avx.CompareUnordered(o0, o0));
        best = Avx.BlendVariable(best, o0, take);
        at = Avx.BlendVariable(at, (i0 + Vector256.Create(1)).AsSingle(), take);
        take = Avx.Or(Avx.CompareGreaterThan(e1, best), Avx.CompareUnordered(e1, e1));
        best = Avx.BlendVariable(best, e1, take);
        at = Avx.BlendVariable(at, (i0 + Vector256.Create(w)).AsSingle(), take);
        take = Avx.Or(Avx.CompareGreaterThan(o1, best), Avx.CompareUnordered(o1, o1));
        best = Avx.BlendVariable(best, o1, take);
        at = Avx.BlendVariable(at, (i0 + Vector256.Create(w + 1)).AsSingle(), take);
        best.StoreUnsafe(ref yRef, (nuint)ox);
        at.AsInt32().StoreUnsafe(ref iRef, (nuint)ox);
    }

    /// <summary>
    /// Gradient of one 2x2 max-pool output row: each of the two input rows (from plane index r0) gets
    /// the output gradient at its window's maximum and 0 elsewhere. Overwrites; needs at least 8 outputs.
    /// </summary>
    private static void MaxPool2x2BackwardRow(ReadOnlySpan<float> g, ReadOnlySpan<int> argmax, Span<float> plane, int r0, int w)
    {
        int ow = g.Length;
        ref float gRef = ref MemoryMarshal.GetReference(g);
        ref int iRef = ref MemoryMarshal.GetReference(argmax);
        ref float x0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(plane), r0);
        for (int ox = 0; ; ox += 8)
        {
            if (ox > ow - 8) ox = ow - 8; // last step overlaps; writes are idempotent
            int c = 2 * ox;
            var gv = Vector256.LoadUnsafe(ref gRef, (nuint)ox);
            var at = Vector256.LoadUnsafe(ref iRef, (nuint)ox);
            var i0 = Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14) + Vector256.Create(r0 + c);
            var e0 = Avx.And(Vector256.Equals(at, i0).AsSingle(), gv);
            var o0 = Avx.And(Vector256.Equals(at, i0 + Vector256.Create(1)).AsSingle(), gv);
            var e1 = Avx.And(Vector256.Equals(at, i0 + Vector256.Create(w)).AsSingle(), gv);
            var o1 = Avx.And(Vector256.Equals(at, i0 + Vector256.Create(w + 1)).AsSingle(), gv);
            // Interleave even and odd columns back: unpack works per 128-bit lane, the lane permute restores order.
            var lo = Avx.UnpackLow(e0, o0);
            var hi = Avx.UnpackHigh(e0, o0);
            Avx.Permute2x128(lo, hi, 0x20).StoreUnsafe(ref x0, (nuint)c);
            Avx.Permute2x128(lo, hi, 0x31).StoreUnsafe(ref x0, (nuint)(c + 8));
            lo = Avx.UnpackLow(e1, o1);
            hi = Avx.UnpackHigh(e1, o1);
            Avx.Permute2x128(lo, hi, 0x20).StoreUnsafe(ref x0, (nuint)(c + w));
            Avx.Permute2x128(lo, hi, 0x31).StoreUnsafe(ref x0, (nuint)(c + w + 8));
            if (ox == ow - 8) break;
        }
    }

    /// <summary>Outputs ox..ox+3 of one 2x2 max-pool row, as <see cref="MaxPool2x2Avx"/> for rows shorter than 8 outputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MaxPool2x2Sse(ref float x0, int r0, int w, int ox, ref float yRef, ref int iRef)
    {
        int c = 2 * ox;
        var a0 = Vector128.LoadUnsafe(ref x0, (nuint)c);
        var a1 = Vector128.LoadUnsafe(ref x0, (nuint)(c + 4));
        var b0 = Vector128.LoadUnsafe(ref x0, (nuint)(c + w));
        var b1 = Vector128.LoadUnsafe(ref x0, (nuint)(c + w + 4));
        var e0 = Sse.Shuffle(a0, a1, 0x88);
        var o0 = Sse.Shuffle(a0, a1, 0xDD);
        var e1 = Sse.Shuffle(b0, b1, 0x88);
        var o1 = Sse.Shuffle(b0, b1, 0xDD);
        var i0 = Vector128.Create(0, 2, 4, 6) + Vector128.Create(r0 + c);
        var best = e0;
        var at = i0.AsSingle();
        var take = Sse.Or(Sse.CompareGreaterThan(o0, best), Sse.CompareUnordered(o0, o0));
        best = Sse41.BlendVariable(best, o0, take);
        at = Sse41.BlendVariable(at, (i0 + Vector128.Create(1)).AsSingle(), take);
        take = Sse.Or(Sse.CompareGreaterThan(e1, best), Sse.CompareUnordered(e1, e1));
        best = Sse41.BlendVariable(best, e1, take);
        at = Sse41.BlendVariable(at, (i0 + Vector128.Create(w)).AsSingle(), take);
        take = Sse.Or(Sse.CompareGreaterThan(o1, best), Sse.CompareUnordered(o1, o1));
        best = Sse41.BlendVariable(best, o1, take);
        at = Sse41.BlendVariable(at, (i0 + Vector128.Create(w + 1)).AsSingle(), take);
        best.StoreUnsafe(ref yRef, (nuint)ox);
        at.AsInt32().StoreUnsafe(ref iRef, (nuint)ox);
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

        /// <summary>The common 2x2 window with stride 2 and no padding, which has vectorised kernels.</summary>
        public bool IsFast2x2 => Kh == 2 && Kw == 2 && Sh == 2 && Sw == 2 && Ph == 0 && Pw == 0;

        public int[] OutputShape(Tensor x)
        {
            var shape = x.Shape.ToArray();
            shape[^2] = Oh;
            shape[^1] = Ow;
            return shape;
        }
    }

    /// <summary>Rows of the vectorised 2x2 max-pool backward: every input element written once.</summary>
    private static void MaxPool2x2Backward(in PoolGeometry p, ReadOnlySpan<float> gs, ReadOnlySpan<int> idx, Span<float> ts)
    {
        int hw = p.H * p.W, ohw = p.Oh * p.Ow;
        for (int plane = 0; plane < p.Planes; plane++)
            for (int oy = 0; oy < p.Oh; oy++)
                MaxPool2x2BackwardRow(gs.Slice(plane * ohw + oy * p.Ow, p.Ow), idx.Slice(plane * ohw + oy * p.Ow, p.Ow),
                                      ts.Slice(plane * hw, hw), 2 * oy * p.W, p.W);
    }

    /// <summary>
    /// Max-pool forward, or the vectorised 2x2 backward, split by planes across the kernel threads when the
    /// input is large (a conv layer's activations are megabytes, and this pass is memory-bound).
    /// </summary>
    private sealed unsafe class PoolJob : PartJob
    {
        [ThreadStatic] private static PoolJob? cached;
        private PoolGeometry geo;
        private bool backward;
        private int parts;
        private float* src, dst;
        private int* idx;

        /// <summary>Forward: src is x, dst is y. Backward: src is the output gradient, dst the input gradient.</summary>
        public static void Run(in PoolGeometry p, bool backward, ReadOnlySpan<float> src, Span<float> dst, Span<int> argmax)
        {
            int parts = Math.Min(SplitKernels.Parts((long)p.Planes * p.H * p.W), p.Planes);
            if (parts <= 1)
            {
                if (backward) MaxPool2x2Backward(p, src, argmax, dst);
                else MaxPoolForward(p, src, dst, argmax);
                return;
            }
            var job = cached ??= new PoolJob();
            fixed (float* ps = src, pd = dst)
            fixed (int* pi = argmax)
            {
                job.geo = p; job.backward = backward; job.parts = parts; job.src = ps; job.dst = pd; job.idx = pi;
                try { KernelThreads.Run(job, parts); }
                finally { job.src = job.dst = null; job.idx = null; }
            }
        }

        public override void Execute(int part)
        {
            int p0 = (int)((long)geo.Planes * part / parts), p1 = (int)((long)geo.Planes * (part + 1) / parts), count = p1 - p0;
            if (count <= 0) return;
            int hw = geo.H * geo.W, ohw = geo.Oh * geo.Ow;
            var g = geo with { Planes = count };
            var ix = new Span<int>(idx + (long)p0 * ohw, count * ohw);
            if (backward) MaxPool2x2Backward(g, new ReadOnlySpan<float>(src + (long)p0 * ohw, count * ohw), ix, new Span<float>(dst + (long)p0 * hw, count * hw));
            else MaxPoolForward(g, new ReadOnlySpan<float>(src + (long)p0 * hw, count * hw), new Span<float>(dst + (long)p0 * ohw, count * ohw), ix);
        }
    }
}
