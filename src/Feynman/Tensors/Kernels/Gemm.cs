namespace Feynman.Tensors.Kernels;

/// <summary>
/// The GEMM every matmul, linear and convolution goes through. OpenBLAS when it loads, the managed
/// kernel otherwise; <c>FEYNMAN_GEMM=managed</c> or <c>=openblas</c> forces one (openblas fails
/// loudly if missing). <c>FEYNMAN_THREADS</c> sets the thread count (default: all cores).
/// </summary>
public static unsafe class Gemm
{
    private static IGemmBackend? backend;

    /// <summary>The backend in use (chosen on first use).</summary>
    public static IGemmBackend Backend
    {
        get => backend ??= Choose(Environment.GetEnvironmentVariable("FEYNMAN_GEMM"));
        set => backend = value;
    }

    /// <summary>Threads kernels may use (FEYNMAN_THREADS, default the processor count).</summary>
    public static int Threads { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("FEYNMAN_THREADS"), out var t) && t > 0 ? t : Environment.ProcessorCount;

    /// <summary>Why OpenBLAS is not used, when it is not.</summary>
    public static string? FallbackReason => fallbackReason;

    private static string? fallbackReason;

    internal static IGemmBackend Choose(string? requested)
    {
        switch (requested?.Trim().ToLowerInvariant())
        {
            case "managed":
                fallbackReason = "FEYNMAN_GEMM=managed";
                return new ManagedGemm(Threads);
            case "openblas":
                var forced = OpenBlasGemm.TryLoad(out var why) ?? throw new InvalidOperationException($"FEYNMAN_GEMM=openblas but {why}.");
                forced.SetThreads(Threads);
                return forced;
            case null or "" or "auto":
                var blas = OpenBlasGemm.TryLoad(out fallbackReason);
                if (blas is null) return new ManagedGemm(Threads);
                blas.SetThreads(Threads);
                return blas;
            default:
                throw new InvalidOperationException($"FEYNMAN_GEMM='{requested}' is not one of: auto, openblas, managed.");
        }
    }

    /// <summary>C = alpha·op(A)·op(B) + beta·C on row-major spans (see <see cref="IGemmBackend"/>).</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
                             ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc) =>
        Sgemm(Backend, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    /// <summary>
    /// A one-thread managed GEMM for callers that already split their work across the kernel threads
    /// (convolution by samples): each part runs its own GEMM on its own core, with no nested threading.
    /// </summary>
    internal static IGemmBackend SingleThreaded { get; } = new ManagedGemm(1);

    /// <summary>As <see cref="Sgemm(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/> on the given backend.</summary>
    internal static void Sgemm(IGemmBackend backend, bool transA, bool transB, int m, int n, int k, float alpha,
                               ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (m == 0 || n == 0) return;
        CheckExtent(a.Length, transA ? k : m, transA ? m : k, lda, "A");
        CheckExtent(b.Length, transB ? n : k, transB ? k : n, ldb, "B");
        CheckExtent(c.Length, m, n, ldc, "C");
        if (k == 0)
        {
            // Nothing to multiply: C = beta·C.
            for (int i = 0; i < m; i++)
            {
                var row = c.Slice(i * ldc, n);
                if (beta == 0f) row.Clear(); else TensorPrimitives.Multiply(row, beta, row);
            }
            return;
        }
        fixed (float* pa = a, pb = b, pc = c)
            backend.Sgemm(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
    }

    private static void CheckExtent(int length, int rows, int cols, int ld, string name)
    {
        if (ld < cols) throw new ArgumentException($"GEMM: leading dimension of {name} ({ld}) is smaller than its {cols} columns.");
        long needed = (long)(rows - 1) * ld + cols;
        if (rows > 0 && length < needed) throw new ArgumentException($"GEMM: {name} holds {length} floats, needs {needed} for {rows}x{cols} with stride {ld}.");
    }
}
