namespace Feynman.Tensors.Kernels;

/// <summary>
/// Geometry of a 2-D convolution or pooling window over a batch of [C, H, W] planes, and the
/// im2col / col2im transforms that turn a convolution into one GEMM.
/// </summary>
public static class ConvKernels
{
    /// <summary>Output size of one spatial dimension (PyTorch's floor rule, dilation 1).</summary>
    public static int OutputSize(int input, int kernel, int stride, int padding) => (input + 2 * padding - kernel) / stride + 1;

    /// <summary>
    /// Unfolds <paramref name="count"/> samples of x ([count, c, h, w], contiguous) into
    /// col [c·kh·kw, count·oh·ow]: row (ci, ki, kj), column (sample, oy, ox) holds
    /// x[sample, ci, oy·sh − ph + ki, ox·sw − pw + kj], or 0 in the padding.
    /// </summary>
    public static void Im2Col(ReadOnlySpan<float> x, int count, int c, int h, int w, int kh, int kw,
                              int sh, int sw, int ph, int pw, int oh, int ow, Span<float> col)
    {
        int ohw = oh * ow, ld = count * ohw, hw = h * w;
        if (x.Length < count * c * hw || col.Length < c * kh * kw * ld)
            throw new ArgumentException($"im2col: buffers too small for {count}x{c}x{h}x{w} with kernel {kh}x{kw}.");
        for (int ci = 0; ci < c; ci++)
        {
            for (int ki = 0; ki < kh; ki++)
            {
                for (int kj = 0; kj < kw; kj++)
                {
                    var row = col.Slice(((ci * kh + ki) * kw + kj) * ld, ld);
                    ValidRange(ow, w, sw, pw, kj, out int lo, out int hi);
                    for (int s = 0; s < count; s++)
                    {
                        var plane = x.Slice((s * c + ci) * hw, hw);
                        var dstPlane = row.Slice(s * ohw, ohw);
                        if (sh == 1 && sw == 1 && ow == w)
                        {
                            ShiftedPlaneCopy(plane, dstPlane, h, w, oh, ph, pw, ki, kj, lo, hi);
                            continue;
                        }
                        for (int oy = 0; oy < oh; oy++)
                        {
                            var dst = dstPlane.Slice(oy * ow, ow);
                            int iy = oy * sh - ph + ki;
                            if ((uint)iy >= (uint)h || hi <= lo) { dst.Clear(); continue; }
                            var src = plane.Slice(iy * w, w);
                            if (lo > 0) dst[..lo].Clear();
                            if (sw == 1) src.Slice(lo - pw + kj, hi - lo).CopyTo(dst.Slice(lo, hi - lo));
                            else for (int ox = lo, ix = lo * sw - pw + kj; ox < hi; ox++, ix += sw) dst[ox] = src[ix];
                            if (hi < ow) dst[hi..].Clear();
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The adjoint of <see cref="Im2Col"/>: adds every entry of col [c·kh·kw, count·oh·ow] into the
    /// element of x ([count, c, h, w]) it was taken from. x is accumulated into, not overwritten.
    /// col is scratch: the entries that fall in the padding may be set to zero.
    /// </summary>
    public static void Col2Im(Span<float> col, int count, int c, int h, int w, int kh, int kw,
                              int sh, int sw, int ph, int pw, int oh, int ow, Span<float> x)
    {
        int ohw = oh * ow, ld = count * ohw, hw = h * w;
        if (x.Length < count * c * hw || col.Length < c * kh * kw * ld)
            throw new ArgumentException($"col2im: buffers too small for {count}x{c}x{h}x{w} with kernel {kh}x{kw}.");
        for (int ci = 0; ci < c; ci++)
        {
            for (int ki = 0; ki < kh; ki++)
            {
                for (int kj = 0; kj < kw; kj++)
                {
                    var row = col.Slice(((ci * kh + ki) * kw + kj) * ld, ld);
                    ValidRange(ow, w, sw, pw, kj, out int lo, out int hi);
                    if (hi <= lo) continue;
                    for (int s = 0; s < count; s++)
                    {
                        var plane = x.Slice((s * c + ci) * hw, hw);
                        var srcPlane = row.Slice(s * ohw, ohw);
                        if (sh == 1 && sw == 1 && ow == w)
                        {
                            ShiftedPlaneAdd(srcPlane, plane, h, w, oh, ph, pw, ki, kj, lo, hi);
                            continue;
                        }
                        for (int oy = 0; oy < oh; oy++)
                        {
                            int iy = oy * sh - ph + ki;
                            if ((uint)iy >= (uint)h) continue;
                            var src = srcPlane.Slice(oy * ow, ow);
                            var dst = plane.Slice(iy * w, w);
                            if (sw == 1)
                            {
                                var d = dst.Slice(lo - pw + kj, hi - lo);
                                TensorPrimitives.Add(d, src.Slice(lo, hi - lo), d);
                            }
                            else for (int ox = lo, ix = lo * sw - pw + kj; ox < hi; ox++, ix += sw) dst[ix] += src[ox];
                        }
                    }
                }
            }
        }
    }

    // With stride 1 and as many output as input columns ("same" width), the column block of one
    // (ci, ki, kj) is the input plane shifted by a constant offset, save for the padding columns:
    // one long copy per plane instead of one short copy per output row.
    private static void ShiftedRows(int h, int w, int oh, int ph, int pw, int ki, int kj, out int start, out int end, out int shift)
    {
        int oyLo = Math.Clamp(ph - ki, 0, oh), oyHi = Math.Clamp(h + ph - ki, oyLo, oh);
        shift = (ki - ph) * w + (kj - pw); // input index = output index + shift
        start = Math.Max(oyLo * w, -shift);
        end = Math.Min(oyHi * w, h * w - shift);
        if (end <= start) start = end = 0; // no input row in reach: an empty range
    }

    private static void ShiftedPlaneCopy(ReadOnlySpan<float> plane, Span<float> dst, int h, int w, int oh, int ph, int pw, int ki, int kj, int lo, int hi)
    {
        ShiftedRows(h, w, oh, ph, pw, ki, kj, out int start, out int end, out int shift);
        if (end == start) { dst.Clear(); return; }
        dst[..start].Clear();
        plane.Slice(start + shift, end - start).CopyTo(dst[start..end]);
        dst[end..].Clear();
        if (lo > 0 || hi < w)
        {
            // Padding columns inside the copied rows read a neighbouring row's values: zero them.
            for (int at = 0; at < dst.Length; at += w)
            {
                for (int ox = 0; ox < lo; ox++) dst[at + ox] = 0f;
                for (int ox = hi; ox < w; ox++) dst[at + ox] = 0f;
            }
        }
    }

    private static void ShiftedPlaneAdd(Span<float> src, Span<float> plane, int h, int w, int oh, int ph, int pw, int ki, int kj, int lo, int hi)
    {
        ShiftedRows(h, w, oh, ph, pw, ki, kj, out int start, out int end, out int shift);
        if (end == start) return;
        if (lo > 0 || hi < w)
        {
            // Entries in the padding columns belong to no input element: drop them before the long add.
            for (int at = 0; at < src.Length; at += w)
            {
                for (int ox = 0; ox < lo; ox++) src[at + ox] = 0f;
                for (int ox = hi; ox < w; ox++) src[at + ox] = 0f;
            }
        }
        var target = plane.Slice(start + shift, end - start);
        TensorPrimitives.Add(target, src[start..end], target);
    }

    /// <summary>Output columns [lo, hi) whose input column ox·sw − pw + kj lies inside [0, w).</summary>
    private static void ValidRange(int ow, int w, int sw, int pw, int kj, out int lo, out int hi)
    {
        int first = pw - kj; // smallest ox·sw allowed
        lo = first <= 0 ? 0 : (first + sw - 1) / sw;
        int last = w - 1 + pw - kj; // largest ox·sw allowed
        hi = last < 0 ? 0 : Math.Min(ow, last / sw + 1);
        if (lo > hi) lo = hi;
    }
}
