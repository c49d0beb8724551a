using System.Runtime.InteropServices;

namespace Feynman.Tensors.Kernels;

/// <summary>
/// GEMM through OpenBLAS's <c>cblas_sgemm</c> (Debian libopenblas0-pthread, libopenblas.so.0),
/// bound by function pointer so a call costs no marshalling.
/// </summary>
public sealed unsafe class OpenBlasGemm : IGemmBackend
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    private readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> sgemm;
    private readonly delegate* unmanaged<int, void> setThreads;
    private readonly delegate* unmanaged<int> getThreads;
    private readonly delegate* unmanaged<byte*> getConfig;

    private OpenBlasGemm(nint library)
    {
        sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)NativeLibrary.GetExport(library, "cblas_sgemm");
        setThreads = NativeLibrary.TryGetExport(library, "openblas_set_num_threads", out var st) ? (delegate* unmanaged<int, void>)st : null;
        getThreads = NativeLibrary.TryGetExport(library, "openblas_get_num_threads", out var gt) ? (delegate* unmanaged<int>)gt : null;
        getConfig = NativeLibrary.TryGetExport(library, "openblas_get_config", out var gc) ? (delegate* unmanaged<byte*>)gc : null;
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

    public int Threads => getThreads != null ? getThreads() : 1;

    /// <summary>OpenBLAS's own description of its build (core, thread count).</summary>
    public string Config => getConfig != null ? Marshal.PtrToStringAnsi((nint)getConfig()) ?? "" : "";

    public void SetThreads(int threads)
    {
        if (setThreads != null) setThreads(threads);
    }

    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
                      float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        if (m == 0 || n == 0) return;
        sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }
}
