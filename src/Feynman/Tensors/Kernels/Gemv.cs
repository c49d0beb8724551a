using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Feynman.Tensors.Kernels;

/// <summary>
/// One-sample dense layer: y = W·x + b (W row-major [out, in], PyTorch's Linear weight), optionally
/// followed by ReLU in the same pass. Single-threaded and allocation-free: at one sample the
/// arithmetic takes microseconds, so thread hand-offs and bookkeeping would cost more than they save.
/// Four rows share each load of x.
/// </summary>
public static unsafe class Gemv
{
    /// <summary>
    /// y = W·x + bias (bias may be empty), then max(y, 0) when <paramref name="relu"/> is set.
    /// Sizes come from the spans: in = x.Length, out = y.Length, W must hold out·in floats.
    /// </summary>
    public static void Linear(ReadOnlySpan<float> weight, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y, bool relu = false)
    {
        int outF = y.Length, inF = x.Length;
        if (weight.Length != (long)outF * inF)
            throw new ArgumentException($"gemv: weight holds {weight.Length} floats, expected [{outF}, {inF}] = {(long)outF * inF} for input {inF} and output {outF}.");
        if (!bias.IsEmpty && bias.Length != outF)
            throw new ArgumentException($"gemv: bias holds {bias.Length} floats, expected {outF} (or none).");
        if (x.Overlaps(y) || weight.Overlaps(y))
            throw new ArgumentException("gemv: output y must not overlap the input x or the weight.");
        if (outF == 0) return;
        fixed (float* w = weight, px = x, pb = bias, py = y)
        {
            if (Vector256.IsHardwareAccelerated) Rows256(w, px, inF, outF, py);
            else
            {
                for (int r = 0; r < outF; r++)
                    py[r] = TensorPrimitives.Dot(new ReadOnlySpan<float>(w + (long)r * inF, inF), x);
            }
        }
        if (!bias.IsEmpty) TensorPrimitives.Add(y, bias, y);
        if (relu) TensorPrimitives.Max(y, 0f, y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> acc) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, acc) : a * b + acc;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows256(float* w, float* x, int inF, int outF, float* y)
    {
        int vecEnd = inF & ~7;
        int r = 0;
        for (; r + 4 <= outF; r += 4)
        {
            float* w0 = w + (long)r * inF, w1 = w0 + inF, w2 = w1 + inF, w3 = w2 + inF;
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
            int i = 0;
            for (; i < vecEnd; i += 8)
            {
                var xv = Vector256.Load(x + i);
                s0 = MulAdd(Vector256.Load(w0 + i), xv, s0);
                s1 = MulAdd(Vector256.Load(w1 + i), xv, s1);
                s2 = MulAdd(Vector256.Load(w2 + i), xv, s2);
                s3 = MulAdd(Vector256.Load(w3 + i), xv, s3);
            }
            float t0 = Vector256.Sum(s0), t1 = Vector256.Sum(s1), t2 = Vector256.Sum(s2), t3 = Vector256.Sum(s3);
            for (; i < inF; i++)
            {
                float xi = x[i];
                t0 += w0[i] * xi; t1 += w1[i] * xi; t2 += w2[i] * xi; t3 += w3[i] * xi;
            }
            y[r] = t0; y[r + 1] = t1; y[r + 2] = t2; y[r + 3] = t3;
        }
        for (; r < outF; r++)
        {
            float* w0 = w + (long)r * inF;
            Vector256<float> s0 = default;
            int i = 0;
            for (; i < vecEnd; i += 8) s0 = MulAdd(Vector256.Load(w0 + i), Vector256.Load(x + i), s0);
            float t0 = Vector256.Sum(s0);
            for (; i < inF; i++) t0 += w0[i] * x[i];
            y[r] = t0;
        }
    }
}
