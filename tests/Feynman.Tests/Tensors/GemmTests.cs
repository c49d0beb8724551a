using Feynman.Tensors.Kernels;

namespace Feynman.Tests.Tensors;

/// <summary>
/// Both GEMM backends against a double-precision naive product: odd shapes (1, primes, not
/// multiples of the 6×16 tile, larger than the cache blocks), every transpose case, alpha/beta
/// variants, beta = 0 over NaN, and row strides larger than the row (gaps filled with NaN, which
/// must never reach C; gaps in C must stay untouched).
/// </summary>
public unsafe class GemmTests
{
    private const float Gap = 12345f;

    // (m, n, k): ones, primes, tile edges, k over several KC blocks, m over several MC blocks,
    // n over several NC blocks, and products large enough to be split between threads.
    public static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1), (1, 1, 7), (1, 37, 5), (29, 1, 13), (2, 3, 1), (6, 16, 8), (7, 17, 9), (5, 15, 3),
        (13, 31, 257), (97, 53, 300), (64, 128, 33), (23, 37, 520), (200, 1, 64), (1, 200, 64),
        (130, 260, 40), (300, 50, 70), (7, 2000, 100), (400, 20, 30), (3, 3100, 5),
    ];

    private static readonly (float Alpha, float Beta)[] Scalings = [(1f, 0f), (0.5f, 1f), (-1.5f, 0.25f), (2f, -1f), (0f, 0.5f), (0f, 0f)];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ManagedMatchesNaiveOnEveryCase(int threads) => CheckAllCases(new ManagedGemm(threads), seed: 10 + threads);

    [Theory]
    [InlineData((int)ManagedGemmKernel.Vector128)]
    [InlineData((int)ManagedGemmKernel.Scalar)]
    public void PortableKernelsMatchNaive(int kernel)
    {
        var gemm = new ManagedGemm(2) { Kernel = (ManagedGemmKernel)kernel };
        var rng = new Random(3);
        foreach (var (m, n, k) in new[] { (1, 1, 1), (7, 17, 9), (13, 31, 257), (130, 260, 40) })
            for (int t = 0; t < 4; t++)
                Check(gemm, (t & 1) != 0, (t & 2) != 0, m, n, k, rng, (-1.5f, 0.25f), (1f, 0f));
    }

    [Fact]
    public void OpenBlasMatchesNaiveOnEveryCase()
    {
        var blas = OpenBlasGemm.TryLoad(out _);
        if (blas is null) return; // not installed: the managed backend is the one in use, and is tested above
        CheckAllCases(blas, seed: 7);
    }

    [Fact]
    public void ConcurrentCallsGiveCorrectResults()
    {
        // Calls from several threads at once: one gets the worker threads, the others run inline.
        var gemm = new ManagedGemm(2);
        Parallel.For(0, 6, new ParallelOptions { MaxDegreeOfParallelism = 3 }, i =>
        {
            var rng = new Random(100 + i);
            Check(gemm, i % 2 == 0, i % 3 == 0, 150, 170, 60, rng, (1f, 0f));
        });
    }

    [Fact]
    public void SgemmEntryPointHandlesEmptyInnerDimensionAndChecksExtents()
    {
        var c = new float[] { 1, 2, 3, 4 };
        Gemm.Sgemm(false, false, 2, 2, 0, 1f, [], 0, [], 2, 0.5f, c, 2);
        Assert.Equal([0.5f, 1f, 1.5f, 2f], c);
        Gemm.Sgemm(false, false, 2, 2, 0, 1f, [], 0, [], 2, 0f, c, 2);
        Assert.Equal([0f, 0f, 0f, 0f], c);
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 2, 3, 1f, new float[5], 3, new float[6], 2, 0f, c, 2));
        Assert.Contains("A holds 5 floats", ex.Message);
    }

    [Fact]
    public void ManagedSteadyStateCallsDoNotAllocate()
    {
        // Packing buffers are kept per thread and the call's job object is reused: after warm-up a
        // product allocates nothing (a few hundred bytes of slack for the JIT's tiering bookkeeping;
        // a packing buffer would be hundreds of kilobytes).
        var a = new float[300 * 200];
        var b = new float[200 * 260];
        var c = new float[300 * 260];
        var gemm = new ManagedGemm(1);
        fixed (float* pa = a, pb = b, pc = c)
        {
            for (int i = 0; i < 40; i++) gemm.Sgemm(false, true, 300, 260, 200, 1f, pa, 200, pb, 200, 0f, pc, 260);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10; i++) gemm.Sgemm(i % 2 == 0, true, 300, 260, 200, 1f, pa, i % 2 == 0 ? 300 : 200, pb, 200, 0f, pc, 260);
            Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1024);
        }
    }

    private static void CheckAllCases(IGemmBackend gemm, int seed)
    {
        var rng = new Random(seed);
        foreach (var (m, n, k) in Shapes)
            for (int t = 0; t < 4; t++)
                Check(gemm, (t & 1) != 0, (t & 2) != 0, m, n, k, rng, Scalings);
    }

    /// <summary>Runs one product per scaling on the same operands and compares every element of C, and every gap between its rows.</summary>
    private static void Check(IGemmBackend gemm, bool transA, bool transB, int m, int n, int k, Random rng, params (float Alpha, float Beta)[] scalings)
    {
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = aCols + rng.Next(0, 2) * 3, ldb = bCols + rng.Next(0, 2) * 5, ldc = n + rng.Next(0, 2) * 2;
        var a = Matrix(aRows, aCols, lda, float.NaN, rng);
        var b = Matrix(bRows, bCols, ldb, float.NaN, rng);
        // The exact product and the sum of |terms| (for the rounding tolerance), once for all scalings.
        var exact = new double[m * n];
        var magnitude = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0, scale = 0;
                for (int p = 0; p < k; p++)
                {
                    double term = (double)(transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                    sum += term;
                    scale += Math.Abs(term);
                }
                exact[i * n + j] = sum;
                magnitude[i * n + j] = scale;
            }
        }
        foreach (var (alpha, beta) in scalings)
        {
            var c = Matrix(m, n, ldc, Gap, rng);
            if (beta == 0f)
                for (int i = 0; i < m; i++) c.AsSpan(i * ldc, n).Fill(float.NaN); // must be overwritten, not read
            var c0 = (float[])c.Clone();

            fixed (float* pa = a, pb = b, pc = c)
                gemm.Sgemm(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);

            string what = $"{gemm.Name} {(transA ? 'T' : 'N')}{(transB ? 'T' : 'N')} m={m} n={n} k={k} alpha={alpha} beta={beta} lda={lda} ldb={ldb} ldc={ldc}";
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double prior = beta == 0f ? 0 : beta * (double)c0[i * ldc + j];
                    double expected = alpha * exact[i * n + j] + prior;
                    double tolerance = 1e-7 * (k + 8) * (Math.Abs(alpha) * magnitude[i * n + j] + Math.Abs(prior)) + 1e-6;
                    float actual = c[i * ldc + j];
                    if (!(Math.Abs(actual - expected) <= tolerance))
                        Assert.Fail($"{what}: C[{i},{j}] = {actual}, expected {expected} (tolerance {tolerance:G3}).");
                }
                for (int j = n; j < ldc && i < m - 1; j++)
                    if (c[i * ldc + j] != Gap) Assert.Fail($"{what}: gap C[{i},{j}] was overwritten with {c[i * ldc + j]}.");
            }
        }
    }

    /// <summary>A rows×cols matrix with row stride ld: uniform values in [-1, 1), <paramref name="gap"/> between rows.</summary>
    private static float[] Matrix(int rows, int cols, int ld, float gap, Random rng)
    {
        var data = new float[(rows - 1) * ld + cols];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < ld && i * ld + j < data.Length; j++)
                data[i * ld + j] = j < cols ? (float)(rng.NextDouble() * 2 - 1) : gap;
        }
        return data;
    }
}
