namespace Feynman.Tensors.Kernels;

/// <summary>
/// Large elementwise passes split into contiguous ranges across the kernel threads (the activations of a
/// convolutional layer are megabytes: one core alone leaves the other idle between the GEMMs).
/// </summary>
internal static unsafe class SplitKernels
{
    /// <summary>Elements below which one thread does the whole pass (splitting costs a wake-up of a few µs).</summary>
    public const int MinSplitLength = 1 << 18;

    /// <summary>How many parts a pass over <paramref name="length"/> elements splits into.</summary>
    public static int Parts(long length) => length < MinSplitLength ? 1 : Math.Max(1, Math.Min(Gemm.Threads, (int)(length / (MinSplitLength / 2))));

    /// <summary>y = max(x, 0).</summary>
    public static void Relu(ReadOnlySpan<float> x, Span<float> y)
    {
        int parts = Parts(y.Length);
        if (parts == 1) { TensorPrimitives.Max(x, 0f, y); return; }
        fixed (float* px = x, py = y) Run(ElementwiseJob.Kind.Relu, parts, y.Length, px, null, py, false);
    }

    /// <summary>target (+)= grad where output &gt; 0 (see <see cref="ActivationKernels.ReluBackward"/>).</summary>
    public static void ReluBackward(ReadOnlySpan<float> output, ReadOnlySpan<float> grad, Span<float> target, bool accumulate)
    {
        int parts = Parts(target.Length);
        if (parts == 1 || output.Length != target.Length || grad.Length != target.Length)
        {
            ActivationKernels.ReluBackward(output, grad, target, accumulate);
            return;
        }
        fixed (float* po = output, pg = grad, pt = target) Run(ElementwiseJob.Kind.ReluBackward, parts, target.Length, po, pg, pt, accumulate);
    }

    private static void Run(ElementwiseJob.Kind kind, int parts, int length, float* a, float* b, float* c, bool accumulate)
    {
        var job = ElementwiseJob.Cached ??= new ElementwiseJob();
        job.Set(kind, parts, length, a, b, c, accumulate);
        try { KernelThreads.Run(job, parts); }
        finally { job.Set(kind, 0, 0, null, null, null, false); }
    }

    private sealed class ElementwiseJob : PartJob
    {
        public enum Kind { Relu, ReluBackward }

        [ThreadStatic] public static ElementwiseJob? Cached;
        private Kind kind;
        private int parts, length;
        private float* a, b, c;
        private bool accumulate;

        public void Set(Kind k, int partCount, int n, float* pa, float* pb, float* pc, bool acc)
        {
            kind = k; parts = partCount; length = n; a = pa; b = pb; c = pc; accumulate = acc;
        }

        public override void Execute(int part)
        {
            // Ranges on 16-float boundaries, so no two parts share a cache line's worth of a vector.
            int start = (int)((long)length * part / parts) & ~15, end = part + 1 == parts ? length : (int)((long)length * (part + 1) / parts) & ~15;
            int n = end - start;
            if (n <= 0) return;
            if (kind == Kind.Relu) TensorPrimitives.Max(new ReadOnlySpan<float>(a + start, n), 0f, new Span<float>(c + start, n));
            else ActivationKernels.ReluBackward(new ReadOnlySpan<float>(a + start, n), new ReadOnlySpan<float>(b + start, n), new Span<float>(c + start, n), accumulate);
        }
    }
}
