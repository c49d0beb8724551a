
namespace Feynman.Tensors.Kernels;

/// <summary>
/// Pure managed GEMM, used when OpenBLAS is absent or FEYNMAN_GEMM=managed. Rows of C are split
/// across threads; each row is built as a sum of scaled rows of B, which the JIT vectorises.
/// </summary>
public sealed unsafe class ManagedGemm(int threads) : IGemmBackend
{
    public string Name => "managed";

    public int Threads { get; } = Math.Max(1, threads);

    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
                      float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        if (m == 0 || n == 0) return;
        float[]? packed = null;
        float* bRows = b;
        int ldbRows = ldb;
        if (transB)
        {
            // Stored B is n×k; make a k×n copy so the inner loop runs over contiguous rows.
            packed = BufferPool.Rent(k * n);
            fixed (float* p = packed)
            {
                for (int j = 0; j < n; j++)
                    for (int q = 0; q < k; q++)
                        p[q * n + j] = b[j * ldb + q];
            }
            ldbRows = n;
        }
        fixed (float* pk = packed)
        {
            if (transB) bRows = pk;
            var job = new Job(transA, n, k, alpha, a, lda, bRows, ldbRows, beta, c, ldc);
            long work = (long)m * n * k;
            int parts = work < 64 * 64 * 64 || Threads == 1 ? 1 : Math.Min(Threads, m);
            if (parts == 1) job.Rows(0, m);
            else Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part => job.Rows(m * part / parts, m * (part + 1) / parts));
        }
        if (packed != null) BufferPool.Return(packed);
    }

    private readonly struct Job(bool transA, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        public void Rows(int start, int end)
        {
            for (int i = start; i < end; i++)
            {
                var row = new Span<float>(c + (long)i * ldc, n);
                if (beta == 0f) row.Clear();
                else if (beta != 1f) TensorPrimitives.Multiply(row, beta, row);
                for (int q = 0; q < k; q++)
                {
                    float av = alpha * (transA ? a[(long)q * lda + i] : a[(long)i * lda + q]);
                    if (av == 0f) continue;
                    var bRow = new ReadOnlySpan<float>(b + (long)q * ldb, n);
                    TensorPrimitives.MultiplyAdd(bRow, av, row, row);
                }
            }
        }
    }
}
