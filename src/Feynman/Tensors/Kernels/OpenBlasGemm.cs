using System.Runtime.InteropServices;

namespace Feynman.Tensors.Kernels;

/// <summary>
/// GEMM through OpenBLAS's <c>cblas_sgemm</c> (Debian libopenblas0-pthread, libopenblas.so.0),
/// bound by function pointer so a call costs no marshalling.
/// OpenBLAS itself always runs on one thread: a large product is split here into row or column ranges of C,
/// one one-thread <c>cblas_sgemm</c> per range, on the kernel threads. OpenBLAS's own threading sums long inner
/// dimensions in another order than its one-thread path (measured: other low bits at k = 784 and 1200), so a
/// run's numbers would change with <c>FEYNMAN_THREADS</c>; split this way they do not.
/// </summary>
public sealed unsafe class OpenBlasGemm : IGemmBackend
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    private readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> sgemm;
    private readonly delegate* unmanaged<int, void> setThreads;
    private readonly delegate* unmanaged<int> getThreads;
    private readonly delegate* unmanaged<byte*> getConfig;

    private int threads = 1;

    private OpenBlasGemm(nint library)
    {
        sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)NativeLibrary.GetExport(library, "cblas_sgemm");
        setThreads = NativeLibrary.TryGetExport(library, "openblas_set_num_threads", out var st) ? (delegate* unmanaged<int, void>)st : null;
        getThreads = NativeLibrary.TryGetExport(library, "openblas_get_num_threads", out var gt) ? (delegate* unmanaged<int>)gt : null;
        getConfig = NativeLibrary.TryGetExport(library, "openblas_get_config", out var gc) ? (delegate* unmanaged<byte*>)gc : null;
        if (setThreads != null) setThreads(1);
    }

    /// <summary>The library names tried, in order.</summary>
    public static readonly string[] LibraryNames = ["libopenblas.so.0", "libopenblas.so", "libopenblasp-r0.3.21.so", "openblas"];

    /// <summary>Loads OpenBLAS, or returns null (with the reason) when it is not installed.</summary>
    public static OpenBlasGemm? TryLoad(out string? reason)
    {
        foreach (var name in LibraryNames)
        {
            if (NativeLibrary.TryLoad(name, out var handle) && NativeLibrary.TryGetExport(handle, "cblas_sgemm", out _))
            {
                reason = null;
                return new OpenBlasGemm(handle);
            }
        }
        reason = "libopenblas.so.0 not found (on Debian: apt-get install libopenblas0-pthread)";
        return null;
    }

    public string Name => "openblas";

    /// <summary>Kernel threads a large product is split across (OpenBLAS's own thread count stays 1).</summary>
    public int Threads => threads;

    /// <summary>OpenBLAS's own thread count (1 unless something else set it).</summary>
    public int LibraryThreads => getThreads != null ? getThreads() : 1;

    /// <summary>OpenBLAS's own description of its build (core, thread count).</summary>
    public string Config => getConfig != null ? Marshal.PtrToStringAnsi((nint)getConfig()) ?? "" : "";

    public void SetThreads(int count)
    {
        threads = Math.Max(1, count);
        if (setThreads != null) setThreads(1);
    }

    /// <summary>Multiply-adds below which one thread does the whole product (a hand-off costs a few µs).</summary>
    internal const long ParallelThreshold = 96L * 96 * 96;

    /// <summary>
    /// How many ranges a large product splits into: the machine's cores, whatever the thread count, because
    /// OpenBLAS's one-thread result for a range can differ in the last bits from its result for the whole
    /// (it picks kernels by size). One thread goes through the same ranges in turn.
    /// </summary>
    private static readonly int SplitRanges = Environment.ProcessorCount;

    /// <summary>Ranges of C are whole multiples of this many rows or columns (OpenBLAS's AVX2 tiles are 16 wide).</summary>
    private const int Tile = 16;

    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
                      float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        if (m == 0 || n == 0) return;
        bool splitColumns = n >= m;
        int parts = 1;
        if ((long)m * n * k >= ParallelThreshold)
            parts = Math.Min(SplitRanges, ((splitColumns ? n : m) + Tile - 1) / Tile);
        if (parts <= 1)
        {
            Call(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }
        var job = cachedJob ??= new SplitJob();
        job.Set(this, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, parts, splitColumns);
        try
        {
            if (threads > 1) KernelThreads.Run(job, parts);
            else for (int p = 0; p < parts; p++) job.Execute(p);
        }
        finally { job.Clear(); }
    }

    private void Call(bool transA, bool transB, int m, int n, int k, float alpha,
                      float* a, int lda, float* b, int ldb, float beta, float* c, int ldc) =>
        sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    [ThreadStatic] private static SplitJob? cachedJob;

    /// <summary>One product split into ranges of C's rows or columns, each a one-thread OpenBLAS call.</summary>
    private sealed class SplitJob : PartJob
    {
        private OpenBlasGemm? blas;
        private bool transA, transB, splitColumns;
        private int m, n, k, lda, ldb, ldc, parts;
        private float alpha, beta;
        private float* a, b, c;

        public void Set(OpenBlasGemm owner, bool transA, bool transB, int m, int n, int k, float alpha,
                        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, int parts, bool splitColumns)
        {
            blas = owner;
            this.transA = transA; this.transB = transB;
            this.m = m; this.n = n; this.k = k;
            this.alpha = alpha; this.beta = beta;
            this.a = a; this.b = b; this.c = c;
            this.lda = lda; this.ldb = ldb; this.ldc = ldc;
            this.parts = parts; this.splitColumns = splitColumns;
        }

        public void Clear() { a = b = c = null; blas = null; }

        public override void Execute(int part)
        {
            var (start, end) = ManagedGemm.Range(splitColumns ? n : m, Tile, part, parts);
            if (start >= end) return;
            if (splitColumns)
            {
                float* bPart = transB ? b + (long)start * ldb : b + start;
                blas!.Call(transA, transB, m, end - start, k, alpha, a, lda, bPart, ldb, beta, c + start, ldc);
            }
            else
            {
                float* aPart = transA ? a + start : a + (long)start * lda;
                blas!.Call(transA, transB, end - start, n, k, alpha, aPart, lda, b, ldb, beta, c + (long)start * ldc, ldc);
            }
        }
    }
}
