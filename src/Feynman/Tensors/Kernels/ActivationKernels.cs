using System.Runtime.Intrinsics;

namespace Feynman.Tensors.Kernels;

/// <summary>Branch-free SIMD passes for activation backward (a branchy scalar loop was 4% of an MLP step).</summary>
public static class ActivationKernels
{
    /// <summary>target = grad where output &gt; 0, else 0; or target += that when <paramref name="accumulate"/>.</summary>
    public static void ReluBackward(ReadOnlySpan<float> output, ReadOnlySpan<float> grad, Span<float> target, bool accumulate)
    {
        if (output.Length != grad.Length || grad.Length != target.Length)
            throw new ArgumentException($"relu backward: output ({output.Length}), gradient ({grad.Length}) and target ({target.Length}) lengths differ.");
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= target.Length; i += 8)
            {
                var y = Vector256.Create(output.Slice(i, 8));
                var g = Vector256.Create(grad.Slice(i, 8));
                var d = Vector256.GreaterThan(y, Vector256<float>.Zero) & g;
                if (accumulate) d += Vector256.Create((ReadOnlySpan<float>)target.Slice(i, 8));
                d.CopyTo(target.Slice(i, 8));
            }
        }
        for (; i < target.Length; i++)
        {
            float d = output[i] > 0f ? grad[i] : 0f;
            target[i] = accumulate ? target[i] + d : d;
        }
    }
}
