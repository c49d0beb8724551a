using Feynman.Tensors;
using Feynman.Tensors.Kernels;

namespace Feynman.Autograd;

/// <summary>2-D convolution as im2col + GEMM, a chunk of samples per GEMM.</summary>
public static partial class Ops
{
    /// <summary>
    /// Floats of scratch one chunk may use (im2col buffer plus GEMM output): small enough to stay in
    /// the 1 MiB L2 of this machine's cores, large enough that the GEMM is not dominated by call overhead.
    /// </summary>
    private const int ConvChunkFloats = 1 << 18;

    /// <summary>PyTorch's F.conv2d with square stride, padding and dilation.</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1) =>
        Conv2d(input, weight, bias, (stride, stride), (padding, padding), (dilation, dilation), groups);

    /// <summary>
    /// PyTorch's F.conv2d: input [N, C, H, W], weight [O, C, kh, kw], bias [O] or null; output
    /// [N, O, (H + 2·ph − kh)/sh + 1, (W + 2·pw − kw)/sw + 1]. Dilation 1 and groups 1 only.
    /// </summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding,
                                (int H, int W)? dilation = null, int groups = 1)
    {
        if (input.Rank != 4) throw new ArgumentException($"conv2d: input must be [N, C, H, W], got {input.ShapeString}.");
        if (weight.Rank != 4) throw new ArgumentException($"conv2d: weight must be [out, in, kh, kw], got {weight.ShapeString}.");
        if (groups != 1) throw new ArgumentException($"conv2d: groups={groups} is not supported (only groups=1).");
        if (dilation is { } dl && (dl.H != 1 || dl.W != 1)) throw new ArgumentException($"conv2d: dilation ({dl.H}, {dl.W}) is not supported (only 1).");
        if (stride.H < 1 || stride.W < 1) throw new ArgumentException($"conv2d: stride ({stride.H}, {stride.W}) must be positive.");
        if (padding.H < 0 || padding.W < 0) throw new ArgumentException($"conv2d: padding ({padding.H}, {padding.W}) must not be negative.");
        int n = input.Shape[0], c = input.Shape[1], h = input.Shape[2], w = input.Shape[3];
        int o = weight.Shape[0], kh = weight.Shape[2], kw = weight.Shape[3];
        if (weight.Shape[1] != c)
            throw new ArgumentException($"conv2d: input {input.ShapeString} has {c} channels, weight {weight.ShapeString} expects {weight.Shape[1]}.");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != o))
            throw new ArgumentException($"conv2d: bias must be [{o}] for weight {weight.ShapeString}, got {bias.ShapeString}.");
        int sh = stride.H, sw = stride.W, ph = padding.H, pw = padding.W;
        if (h + 2 * ph < kh || w + 2 * pw < kw)
            throw new ArgumentException($"conv2d: kernel {kh}x{kw} is larger than input {input.ShapeString} padded by ({ph}, {pw}).");
        int oh = ConvKernels.OutputSize(h, kh, sh, ph), ow = ConvKernels.OutputSize(w, kw, sw, pw);

        var x = Contiguous(input);
        var wt = Contiguous(weight);
        var b = bias is null ? null : Contiguous(bias);
        var y = Tensor.Empty(n, o, oh, ow);
        var geo = new ConvGeometry(n, c, h, w, o, kh, kw, sh, sw, ph, pw, oh, ow);
        ConvForward(geo, x.Span, wt.Span, b is null ? default : b.Span, y.Span);

        if (AutogradEngine.ShouldRecord(x, wt, b))
        {
            AutogradEngine.Record(y, "conv2d", b is null ? [x, wt] : [x, wt, b], g =>
            {
                Span<float> gw = default, gx = default, gb = default;
                bool accW = false;
                if (b is not null && b.RequiresGrad)
                {
                    gb = AutogradEngine.GradTarget(b, out bool accB).Span;
                    if (!accB) gb.Clear();
                }
                if (wt.RequiresGrad) gw = AutogradEngine.GradTarget(wt, out accW).Span;
                if (x.RequiresGrad)
                {
                    gx = AutogradEngine.GradTarget(x, out bool accX).Span;
                    if (!accX) gx.Clear(); // col2im adds
                }
                ConvBackward(geo, x.Span, wt.Span, g.Span, gw, accW, gx, gb);
            });
        }
        return y;
    }

    private readonly record struct ConvGeometry(int N, int C, int H, int W, int O, int Kh, int Kw, int Sh, int Sw, int Ph, int Pw, int Oh, int Ow)
    {
        public int K => C * Kh * Kw;

        public int Ohw => Oh * Ow;

        /// <summary>Samples per chunk: the im2col matrix and the GEMM output of a chunk fit <see cref="ConvChunkFloats"/> together.</summary>
        public int Chunk => Math.Clamp(ConvChunkFloats / Math.Max(1, (K + O) * Ohw), 1, Math.Max(N, 1));

        /// <summary>A 1x1 kernel with stride 1 and no padding reads the input as it is: no im2col.</summary>
        public bool IsPointwise => Kh == 1 && Kw == 1 && Sh == 1 && Sw == 1 && Ph == 0 && Pw == 0;
    }

    private static void ConvForward(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y)
    {
        int parts = ConvParts(g);
        if (parts > 1) ConvJob.Forward(g, parts, x, w, bias, y);
        else ConvForward(g, x, w, bias, y, Gemm.Backend);
    }

    /// <summary>
    /// How many sample ranges a convolution splits into: one per core when the batch is big enough. Each
    /// range runs im2col, a one-thread GEMM and the layout transforms on its own core, so none of the
    /// non-GEMM work waits on one core while the other idles. The count follows the machine's cores, not
    /// <c>FEYNMAN_THREADS</c>: the weight gradient is summed range by range, so the ranges fix the order of
    /// that sum, and a run on one thread (which goes through the ranges in turn) gives the same numbers as
    /// a run on all of them.
    /// </summary>
    private static int ConvParts(in ConvGeometry g)
    {
        if (SampleRanges <= 1 || g.N < 2) return 1;
        long flops = (long)g.N * g.O * g.K * g.Ohw;
        if (flops < ConvSplitFlops) return 1;
        return Math.Min(SampleRanges, g.N);
    }

    private static readonly int SampleRanges = Environment.ProcessorCount;

    /// <summary>Multiply-adds below which splitting a convolution by samples costs more than it saves.</summary>
    private const long ConvSplitFlops = 1L << 21;

    private static void ConvForward(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y,
                                    IGemmBackend gemm)
    {
        int k = g.K, ohw = g.Ohw, chw = g.C * g.H * g.W, sampleOut = g.O * ohw;
        int chunk = g.Chunk;
        var col = g.IsPointwise && chunk == 1 ? null : BufferPool.Rent(k * chunk * ohw);
        var tmp = chunk > 1 ? BufferPool.Rent(g.O * chunk * ohw) : null;
        try
        {
            for (int s0 = 0; s0 < g.N; s0 += chunk)
            {
                int cnt = Math.Min(chunk, g.N - s0), cols = cnt * ohw;
                var xs = x.Slice(s0 * chw, cnt * chw);
                ReadOnlySpan<float> b;
                if (col is null) b = xs; // pointwise, one sample: x[s] is already [C, H·W]
                else
                {
                    ConvKernels.Im2Col(xs, cnt, g.C, g.H, g.W, g.Kh, g.Kw, g.Sh, g.Sw, g.Ph, g.Pw, g.Oh, g.Ow, col);
                    b = col.AsSpan(0, k * cols);
                }
                if (tmp is null)
                {
                    // One sample: the GEMM output [O, OH·OW] is already NCHW.
                    var ys = y.Slice(s0 * sampleOut, sampleOut);
                    Gemm.Sgemm(gemm, false, false, g.O, cols, k, 1f, w, k, b, cols, 0f, ys, cols);
                    if (!bias.IsEmpty)
                        for (int oc = 0; oc < g.O; oc++) TensorPrimitives.Add(ys.Slice(oc * ohw, ohw), bias[oc], ys.Slice(oc * ohw, ohw));
                }
                else
                {
                    var t = tmp.AsSpan(0, g.O * cols);
                    Gemm.Sgemm(gemm, false, false, g.O, cols, k, 1f, w, k, b, cols, 0f, t, cols);
                    // [O, cnt·OH·OW] → [cnt, O, OH·OW], adding the bias on the way.
                    for (int s = 0; s < cnt; s++)
                    {
                        var ys = y.Slice((s0 + s) * sampleOut, sampleOut);
                        for (int oc = 0; oc < g.O; oc++)
                        {
                            var src = t.Slice(oc * cols + s * ohw, ohw);
                            var dst = ys.Slice(oc * ohw, ohw);
                            if (bias.IsEmpty) src.CopyTo(dst); else TensorPrimitives.Add(src, bias[oc], dst);
                        }
                    }
                }
            }
        }
        finally
        {
            if (col is not null) BufferPool.Return(col);
            if (tmp is not null) BufferPool.Return(tmp);
        }
    }

    /// <summary>
    /// dW (+)= Σ_chunks gᶜ·colᶜᵀ and dX += col2im(Wᵀ·gᶜ), where gᶜ is the output gradient of a chunk
    /// laid out [O, cnt·OH·OW]; dB += Σ g, summed a chunk at a time while the chunk is in cache.
    /// gw, gx, gb are empty when that input needs no gradient; gx and gb are added to, gw too when <paramref name="accumulateW"/>.
    /// </summary>
    private static void ConvBackward(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> gy,
                                     Span<float> gw, bool accumulateW, Span<float> gx, Span<float> gb)
    {
        int parts = gw.IsEmpty && gx.IsEmpty ? 1 : ConvParts(g);
        if (parts > 1) ConvJob.Backward(g, parts, x, w, gy, gw, accumulateW, gx, gb);
        else ConvBackward(g, x, w, gy, gw, accumulateW, gx, gb, Gemm.Backend);
    }

    private static void ConvBackward(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> gy,
                                     Span<float> gw, bool accumulateW, Span<float> gx, Span<float> gb, IGemmBackend gemm)
    {
        int k = g.K, ohw = g.Ohw, chw = g.C * g.H * g.W, sampleOut = g.O * ohw;
        int chunk = g.Chunk;
        bool pointwise = g.IsPointwise && chunk == 1;
        var col = pointwise ? null : BufferPool.Rent(k * chunk * ohw);
        var tmp = chunk > 1 ? BufferPool.Rent(g.O * chunk * ohw) : null;
        float betaW = accumulateW ? 1f : 0f;
        try
        {
            for (int s0 = 0; s0 < g.N; s0 += chunk)
            {
                int cnt = Math.Min(chunk, g.N - s0), cols = cnt * ohw;
                ReadOnlySpan<float> gc;
                if (tmp is null || (gw.IsEmpty && gx.IsEmpty)) gc = gy.Slice(s0 * sampleOut, sampleOut);
                else
                {
                    // [cnt, O, OH·OW] → [O, cnt·OH·OW]
                    var t = tmp.AsSpan(0, g.O * cols);
                    for (int s = 0; s < cnt; s++)
                        for (int oc = 0; oc < g.O; oc++)
                            gy.Slice((s0 + s) * sampleOut + oc * ohw, ohw).CopyTo(t.Slice(oc * cols + s * ohw, ohw));
                    gc = t;
                }
                if (!gb.IsEmpty)
                    for (int s = 0; s < cnt; s++)
                        for (int oc = 0; oc < g.O; oc++)
                            gb[oc] += TensorPrimitives.Sum(gy.Slice((s0 + s) * sampleOut + oc * ohw, ohw));
                if (gw.IsEmpty && gx.IsEmpty) continue;
                var xs = x.Slice(s0 * chw, cnt * chw);
                if (!gw.IsEmpty)
                {
                    ReadOnlySpan<float> b;
                    if (col is null) b = xs;
                    else
                    {
                        ConvKernels.Im2Col(xs, cnt, g.C, g.H, g.W, g.Kh, g.Kw, g.Sh, g.Sw, g.Ph, g.Pw, g.Oh, g.Ow, col);
                        b = col.AsSpan(0, k * cols);
                    }
                    Gemm.Sgemm(gemm, false, true, g.O, k, cols, 1f, gc, cols, b, cols, betaW, gw, k);
                    betaW = 1f;
                }
                if (!gx.IsEmpty)
                {
                    var gxs = gx.Slice(s0 * chw, cnt * chw);
                    if (col is null) Gemm.Sgemm(gemm, true, false, k, cols, g.O, 1f, w, k, gc, cols, 1f, gxs, cols);
                    else
                    {
                        var dcol = col.AsSpan(0, k * cols);
                        Gemm.Sgemm(gemm, true, false, k, cols, g.O, 1f, w, k, gc, cols, 0f, dcol, cols);
                        ConvKernels.Col2Im(dcol, cnt, g.C, g.H, g.W, g.Kh, g.Kw, g.Sh, g.Sw, g.Ph, g.Pw, g.Oh, g.Ow, gxs);
                    }
                }
            }
        }
        finally
        {
            if (col is not null) BufferPool.Return(col);
            if (tmp is not null) BufferPool.Return(tmp);
        }
    }

    /// <summary>
    /// A convolution split by samples across the kernel threads. Part p takes samples
    /// [p·N/parts, (p+1)·N/parts) and a one-thread GEMM; the input and output slices are disjoint. In the
    /// backward pass part 0 writes the weight and bias gradients in place and the other parts into pooled
    /// partial buffers, which are summed in afterwards.
    /// </summary>
    private sealed unsafe class ConvJob : PartJob
    {
        [ThreadStatic] private static ConvJob? cached;
        private ConvGeometry geo;
        private int parts;
        private bool backward, accumulateW;
        private float* x, w, bias, y, gw, gx, gb;
        private int biasLength, gwLength, gbLength;
        private float[]?[] partialW = [], partialB = [];

        public static void Forward(in ConvGeometry g, int parts, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y)
        {
            var job = cached ??= new ConvJob();
            fixed (float* px = x, pw = w, pb = bias, py = y)
            {
                job.Set(g, parts, backward: false, px, pw, pb, bias.Length, py, null, 0, false, null, null, 0);
                try { KernelThreads.Run(job, parts); }
                finally { job.Clear(); }
            }
        }

        public static void Backward(in ConvGeometry g, int parts, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> gy,
                                    Span<float> gw, bool accumulateW, Span<float> gx, Span<float> gb)
        {
            var job = cached ??= new ConvJob();
            if (job.partialW.Length < parts) { job.partialW = new float[]?[parts]; job.partialB = new float[]?[parts]; }
            for (int p = 1; p < parts; p++)
            {
                job.partialW[p] = gw.IsEmpty ? null : BufferPool.Rent(gw.Length);
                job.partialB[p] = gb.IsEmpty ? null : BufferPool.Rent(gb.Length);
                job.partialB[p]?.AsSpan().Clear();
            }
            try
            {
                fixed (float* px = x, pw = w, pgy = gy, pgw = gw, pgx = gx, pgb = gb)
                {
                    job.Set(g, parts, backward: true, px, pw, null, 0, pgy, pgw, gw.Length, accumulateW, pgx, pgb, gb.Length);
                    try { KernelThreads.Run(job, parts); }
                    finally { job.Clear(); }
                }
                for (int p = 1; p < parts; p++)
                {
                    if (job.partialW[p] is { } pw) TensorPrimitives.Add(gw, pw, gw);
                    if (job.partialB[p] is { } pb) TensorPrimitives.Add(gb, pb, gb);
                }
            }
            finally
            {
                for (int p = 1; p < parts; p++)
                {
                    if (job.partialW[p] is { } pw) BufferPool.Return(pw);
                    if (job.partialB[p] is { } pb) BufferPool.Return(pb);
                    job.partialW[p] = job.partialB[p] = null;
                }
            }
        }

        private void Set(in ConvGeometry g, int partCount, bool backward, float* px, float* pw, float* pb, int bLength, float* py,
                         float* pgw, int gwLen, bool accW, float* pgx, float* pgb, int gbLen)
        {
            geo = g;
            parts = partCount;
            this.backward = backward;
            x = px; w = pw; bias = pb; biasLength = bLength; y = py;
            gw = pgw; gwLength = gwLen; accumulateW = accW; gx = pgx; gb = pgb; gbLength = gbLen;
        }

        private void Clear() { x = w = bias = y = gw = gx = gb = null; }

        public override void Execute(int part)
        {
            int s0 = (int)((long)part * geo.N / parts), s1 = (int)((long)(part + 1) * geo.N / parts), cnt = s1 - s0;
            if (cnt <= 0) return;
            var g = geo with { N = cnt };
            int chw = geo.C * geo.H * geo.W, sampleOut = geo.O * geo.Ohw, wLength = geo.O * geo.K;
            var xs = new ReadOnlySpan<float>(x + (long)s0 * chw, cnt * chw);
            var ws = new ReadOnlySpan<float>(w, wLength);
            if (!backward)
            {
                ConvForward(g, xs, ws, new ReadOnlySpan<float>(bias, biasLength), new Span<float>(y + (long)s0 * sampleOut, cnt * sampleOut), Gemm.SingleThreaded);
                return;
            }
            var gys = new ReadOnlySpan<float>(y + (long)s0 * sampleOut, cnt * sampleOut);
            Span<float> gws = gw == null ? default : part == 0 ? new Span<float>(gw, gwLength) : partialW[part];
            Span<float> gbs = gb == null ? default : part == 0 ? new Span<float>(gb, gbLength) : partialB[part];
            Span<float> gxs = gx == null ? default : new Span<float>(gx + (long)s0 * chw, cnt * chw);
            ConvBackward(g, xs, ws, gys, gws, part == 0 && accumulateW, gxs, gbs, Gemm.SingleThreaded);
        }
    }
}
