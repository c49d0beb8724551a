using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Feynman.Tensors.Kernels;

/// <summary>
/// Pure managed GEMM in the GotoBLAS/BLIS shape: B is packed into KC×16 column panels, A into
/// 6×KC row panels (transposes are absorbed by the packing, so all four cases run the same kernel),
/// and a 6×16 register tile (12 Vector256 accumulators, FMA) walks the packed panels. KC keeps a
/// B panel in L1, MC an A block in L2. Large products are split over columns (or rows, when C is
/// tall) between <see cref="Threads"/> threads; small ones stay on the caller's thread.
/// </summary>
public sealed unsafe class ManagedGemm(int threads) : IGemmBackend
{
    internal const int MR = 6, NR = 16;
    private const int KcMax = 256, McMax = 192, NcMax = 3072;

    /// <summary>Below this many multiply-adds a second thread costs more than it saves.</summary>
    internal const long ParallelThreshold = 96L * 96 * 96;

    [ThreadStatic] private static GemmJob? cachedJob;

    public string Name => "managed";

    public int Threads { get; } = Math.Max(1, threads);

    /// <summary>Which micro-kernel runs (tests pin the portable ones; the default is the fastest the CPU has).</summary>
    internal ManagedGemmKernel Kernel { get; init; } = BestKernel;

    internal static ManagedGemmKernel BestKernel =>
        Vector256.IsHardwareAccelerated ? ManagedGemmKernel.Vector256
        : Vector128.IsHardwareAccelerated ? ManagedGemmKernel.Vector128
        : ManagedGemmKernel.Scalar;

    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
                      float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        if (m <= 0 || n <= 0) return;
        if (k <= 0 || alpha == 0f)
        {
            // BLAS semantics: A and B are not read; C = beta·C (beta 0 overwrites, even NaN).
            ScaleC(m, n, beta, c, ldc);
            return;
        }
        int parts = 1;
        bool splitColumns = n >= m;
        if (Threads > 1 && (long)m * n * k >= ParallelThreshold)
        {
            int tiles = splitColumns ? (n + NR - 1) / NR : (m + MR - 1) / MR;
            parts = Math.Min(Threads, tiles);
        }
        var job = cachedJob ??= new GemmJob();
        job.Set(Kernel, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, parts, splitColumns);
        try
        {
            if (parts == 1) job.Execute(0);
            else KernelThreads.Run(job, parts);
        }
        finally
        {
            job.Clear();
        }
    }

    private static void ScaleC(int m, int n, float beta, float* c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + (long)i * ldc, n);
            if (beta == 0f) row.Clear();
            else if (beta != 1f) TensorPrimitives.Multiply(row, beta, row);
        }
    }

    /// <summary>The arguments of one call, shared by the threads that split it.</summary>
    /// <summary>Part <paramref name="part"/> of [0, size) in whole tiles, as even as tiles allow.</summary>
    internal static (int Start, int End) Range(int size, int tile, int part, int parts)
    {
        int tiles = (size + tile - 1) / tile;
        int start = (int)((long)tiles * part / parts) * tile;
        int end = (int)((long)tiles * (part + 1) / parts) * tile;
        return (Math.Min(start, size), Math.Min(end, size));
    }

    private sealed class GemmJob : PartJob
    {
        private ManagedGemmKernel kernel;
        private bool transA, transB, splitColumns;
        private int m, n, k, lda, ldb, ldc, parts;
        private float alpha, beta;
        private float* a, b, c;

        public void Set(ManagedGemmKernel kernel, bool transA, bool transB, int m, int n, int k, float alpha,
                        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, int parts, bool splitColumns)
        {
            this.kernel = kernel;
            this.transA = transA; this.transB = transB;
            this.m = m; this.n = n; this.k = k;
            this.alpha = alpha; this.beta = beta;
            this.a = a; this.b = b; this.c = c;
            this.lda = lda; this.ldb = ldb; this.ldc = ldc;
            this.parts = parts; this.splitColumns = splitColumns;
        }

        public void Clear() { a = b = c = null; }

        public override void Execute(int part)
        {
            if (splitColumns)
            {
                var (start, end) = Range(n, NR, part, parts);
                if (start >= end) return;
                float* bPart = transB ? b + (long)start * ldb : b + start;
                Serial(kernel, transA, transB, m, end - start, k, alpha, a, lda, bPart, ldb, beta, c + start, ldc);
            }
            else
            {
                var (start, end) = Range(m, MR, part, parts);
                if (start >= end) return;
                float* aPart = transA ? a + start : a + (long)start * lda;
                Serial(kernel, transA, transB, end - start, n, k, alpha, aPart, lda, b, ldb, beta, c + (long)start * ldc, ldc);
            }
        }
    }

    /// <summary>One thread's share: blocked loops over packed panels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Serial(ManagedGemmKernel kernel, bool transA, bool transB, int m, int n, int k, float alpha,
                               float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        // Even block sizes: k = 784 gives 4 blocks of 196 rather than 256+256+256+16.
        int kc = EvenBlock(k, KcMax, 1);
        int mc = EvenBlock(m, McMax, MR);
        int nc = EvenBlock(n, NcMax, NR);
        float* pa = PackBuffer(ref packA, RoundUp(mc, MR) * kc);
        float* pb = PackBuffer(ref packB, RoundUp(nc, NR) * kc);
        for (int jc = 0; jc < n; jc += nc)
        {
            int ncCur = Math.Min(nc, n - jc);
            for (int pc = 0; pc < k; pc += kc)
            {
                int kcCur = Math.Min(kc, k - pc);
                // The first k block applies the caller's beta; later ones add to it.
                float betaCur = pc == 0 ? beta : 1f;
                PackB(transB, b, ldb, pc, jc, kcCur, ncCur, pb);
                for (int ic = 0; ic < m; ic += mc)
                {
                    int mcCur = Math.Min(mc, m - ic);
                    PackA(transA, a, lda, ic, pc, mcCur, kcCur, pa);
                    Macro(kernel, mcCur, ncCur, kcCur, alpha, betaCur, pa, pb, c + (long)ic * ldc + jc, ldc);
                }
            }
        }
    }

    // Each thread keeps its packing buffers (pinned, from the pool) between calls: no allocation and
    // no contention on the pool in steady state. A bigger product swaps in a bigger buffer.
    [ThreadStatic] private static float[]? packA;
    [ThreadStatic] private static float[]? packB;

    private static float* PackBuffer(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length)
        {
            if (buffer is not null) BufferPool.Return(buffer);
            buffer = BufferPool.Rent(RoundUp(length, 16 * 1024));
        }
        // Pool buffers live on the pinned heap, so the address is stable without a fixed block.
        return (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

    private static int EvenBlock(int size, int max, int multiple)
    {
        int blocks = (size + max - 1) / max;
        return RoundUp((size + blocks - 1) / blocks, multiple);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Macro(ManagedGemmKernel kernel, int mc, int nc, int kc, float alpha, float beta,
                              float* pa, float* pb, float* c, int ldc)
    {
        float* tile = stackalloc float[MR * NR];
        for (int jr = 0; jr < nc; jr += NR)
        {
            int nr = Math.Min(NR, nc - jr);
            float* bPanel = pb + (long)jr * kc;
            for (int ir = 0; ir < mc; ir += MR)
            {
                int mr = Math.Min(MR, mc - ir);
                float* aPanel = pa + (long)ir * kc;
                float* cTile = c + (long)ir * ldc + jr;
                if (mr == MR && nr == NR)
                {
                    MicroKernel(kernel, kc, aPanel, bPanel, cTile, ldc, alpha, beta);
                }
                else
                {
                    // Edge tile: compute the full padded tile aside, then merge only the valid part.
                    MicroKernel(kernel, kc, aPanel, bPanel, tile, NR, 1f, 0f);
                    for (int i = 0; i < mr; i++)
                    {
                        float* dst = cTile + (long)i * ldc;
                        float* src = tile + i * NR;
                        if (beta == 0f) for (int j = 0; j < nr; j++) dst[j] = alpha * src[j];
                        else for (int j = 0; j < nr; j++) dst[j] = alpha * src[j] + beta * dst[j];
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ packing

    /// <summary>
    /// Packs rows [ic, ic+mc) × k-range [pc, pc+kc) of op(A) into 6-row panels, k-major inside a
    /// panel (6 consecutive floats per k), zero-padding the last panel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA(bool transA, float* a, int lda, int ic, int pc, int mc, int kc, float* dst)
    {
        for (int ir = 0; ir < mc; ir += MR)
        {
            int mr = Math.Min(MR, mc - ir);
            float* panel = dst + (long)ir * kc;
            if (transA)
            {
                // op(A)[i, p] = a[p·lda + i]: six consecutive floats per k.
                float* src = a + (long)pc * lda + ic + ir;
                if (mr == MR)
                {
                    for (int p = 0; p < kc; p++, src += lda, panel += MR)
                    {
                        panel[0] = src[0]; panel[1] = src[1]; panel[2] = src[2];
                        panel[3] = src[3]; panel[4] = src[4]; panel[5] = src[5];
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++, src += lda, panel += MR)
                        for (int i = 0; i < MR; i++) panel[i] = i < mr ? src[i] : 0f;
                }
            }
            else
            {
                // op(A)[i, p] = a[i·lda + p]: six row pointers walked together.
                float* r0 = a + (long)(ic + ir) * lda + pc;
                if (mr == MR)
                {
                    float* r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda, r4 = r3 + lda, r5 = r4 + lda;
                    for (int p = 0; p < kc; p++, panel += MR)
                    {
                        panel[0] = r0[p]; panel[1] = r1[p]; panel[2] = r2[p];
                        panel[3] = r3[p]; panel[4] = r4[p]; panel[5] = r5[p];
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++, panel += MR)
                        for (int i = 0; i < MR; i++) panel[i] = i < mr ? r0[(long)i * lda + p] : 0f;
                }
            }
        }
    }

    /// <summary>
    /// Packs k-range [pc, pc+kc) × columns [jc, jc+nc) of op(B) into 16-column panels (16
    /// consecutive floats per k), zero-padding the last panel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(bool transB, float* b, int ldb, int pc, int jc, int kc, int nc, float* dst)
    {
        for (int jr = 0; jr < nc; jr += NR)
        {
            int nr = Math.Min(NR, nc - jr);
            float* panel = dst + (long)jr * kc;
            if (!transB)
            {
                float* src = b + (long)pc * ldb + jc + jr;
                if (nr == NR)
                {
                    for (int p = 0; p < kc; p++, src += ldb, panel += NR)
                    {
                        Vector128.Store(Vector128.Load(src), panel);
                        Vector128.Store(Vector128.Load(src + 4), panel + 4);
                        Vector128.Store(Vector128.Load(src + 8), panel + 8);
                        Vector128.Store(Vector128.Load(src + 12), panel + 12);
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++, src += ldb, panel += NR)
                        for (int j = 0; j < NR; j++) panel[j] = j < nr ? src[j] : 0f;
                }
            }
            else
            {
                // op(B)[p, j] = b[j·ldb + p]: each column of the panel is a contiguous run of stored B.
                float* src = b + (long)(jc + jr) * ldb + pc;
                if (nr == NR && Avx.IsSupported) PackTransposedPanel(src, ldb, kc, panel);
                else
                {
                    for (int j = 0; j < NR; j++)
                    {
                        if (j < nr)
                        {
                            float* col = src + (long)j * ldb;
                            for (int p = 0; p < kc; p++) panel[p * NR + j] = col[p];
                        }
                        else for (int p = 0; p < kc; p++) panel[p * NR + j] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>Transposes a 16×kc block (16 stored rows, contiguous along k) into kc rows of 16, 8×8 at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackTransposedPanel(float* src, int ldb, int kc, float* panel)
    {
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            for (int half = 0; half < 2; half++)
            {
                float* s = src + (long)half * 8 * ldb + p;
                var r0 = Avx.LoadVector256(s);
                var r1 = Avx.LoadVector256(s + ldb);
                var r2 = Avx.LoadVector256(s + 2L * ldb);
                var r3 = Avx.LoadVector256(s + 3L * ldb);
                var r4 = Avx.LoadVector256(s + 4L * ldb);
                var r5 = Avx.LoadVector256(s + 5L * ldb);
                var r6 = Avx.LoadVector256(s + 6L * ldb);
                var r7 = Avx.LoadVector256(s + 7L * ldb);
                var t0 = Avx.UnpackLow(r0, r1);
                var t1 = Avx.UnpackHigh(r0, r1);
                var t2 = Avx.UnpackLow(r2, r3);
                var t3 = Avx.UnpackHigh(r2, r3);
                var t4 = Avx.UnpackLow(r4, r5);
                var t5 = Avx.UnpackHigh(r4, r5);
                var t6 = Avx.UnpackLow(r6, r7);
                var t7 = Avx.UnpackHigh(r6, r7);
                var u0 = Avx.Shuffle(t0, t2, 0x44);
                var u1 = Avx.Shuffle(t0, t2, 0xEE);
                var u2 = Avx.Shuffle(t1, t3, 0x44);
                var u3 = Avx.Shuffle(t1, t3, 0xEE);
                var u4 = Avx.Shuffle(t4, t6, 0x44);
                var u5 = Avx.Shuffle(t4, t6, 0xEE);
                var u6 = Avx.Shuffle(t5, t7, 0x44);
                var u7 = Avx.Shuffle(t5, t7, 0xEE);
                float* d = panel + (long)p * NR + half * 8;
                Avx.Store(d + 0 * NR, Avx.Permute2x128(u0, u4, 0x20));
                Avx.Store(d + 1 * NR, Avx.Permute2x128(u1, u5, 0x20));
                Avx.Store(d + 2 * NR, Avx.Permute2x128(u2, u6, 0x20));
                Avx.Store(d + 3 * NR, Avx.Permute2x128(u3, u7, 0x20));
                Avx.Store(d + 4 * NR, Avx.Permute2x128(u0, u4, 0x31));
                Avx.Store(d + 5 * NR, Avx.Permute2x128(u1, u5, 0x31));
                Avx.Store(d + 6 * NR, Avx.Permute2x128(u2, u6, 0x31));
                Avx.Store(d + 7 * NR, Avx.Permute2x128(u3, u7, 0x31));
            }
        }
        for (; p < kc; p++)
            for (int j = 0; j < NR; j++) panel[p * NR + j] = src[(long)j * ldb + p];
    }

    // ------------------------------------------------------------------ micro-kernels

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MicroKernel(ManagedGemmKernel kernel, int kc, float* a, float* b, float* c, int ldc, float alpha, float beta)
    {
        switch (kernel)
        {
            case ManagedGemmKernel.Vector256: Kernel256(kc, a, b, c, ldc, alpha, beta); break;
            case ManagedGemmKernel.Vector128: Kernel128(kc, a, b, c, ldc, alpha, beta); break;
            default: KernelScalar(kc, a, b, c, ldc, alpha, beta); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> acc) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, acc) : a * b + acc;

    /// <summary>C[6×16] = alpha·(A panel · B panel) + beta·C, with 12 accumulators held in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel256(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta)
    {
        if (beta != 0f && Sse.IsSupported)
        {
            // C rows are far apart and cold when k is split into blocks: start fetching them now,
            // so the loads at the end do not stall after the multiply loop.
            float* cp = c;
            for (int i = 0; i < MR; i++, cp += ldc)
            {
                Sse.Prefetch0(cp);
                Sse.Prefetch0(cp + NR - 1);
            }
        }
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var av = Vector256.Create(a[0]);
            c00 = MulAdd(av, b0, c00); c01 = MulAdd(av, b1, c01);
            av = Vector256.Create(a[1]);
            c10 = MulAdd(av, b0, c10); c11 = MulAdd(av, b1, c11);
            av = Vector256.Create(a[2]);
            c20 = MulAdd(av, b0, c20); c21 = MulAdd(av, b1, c21);
            av = Vector256.Create(a[3]);
            c30 = MulAdd(av, b0, c30); c31 = MulAdd(av, b1, c31);
            av = Vector256.Create(a[4]);
            c40 = MulAdd(av, b0, c40); c41 = MulAdd(av, b1, c41);
            av = Vector256.Create(a[5]);
            c50 = MulAdd(av, b0, c50); c51 = MulAdd(av, b1, c51);
            a += MR;
            b += NR;
        }
        var va = Vector256.Create(alpha);
        if (beta == 0f)
        {
            Vector256.Store(c00 * va, c); Vector256.Store(c01 * va, c + 8); c += ldc;
            Vector256.Store(c10 * va, c); Vector256.Store(c11 * va, c + 8); c += ldc;
            Vector256.Store(c20 * va, c); Vector256.Store(c21 * va, c + 8); c += ldc;
            Vector256.Store(c30 * va, c); Vector256.Store(c31 * va, c + 8); c += ldc;
            Vector256.Store(c40 * va, c); Vector256.Store(c41 * va, c + 8); c += ldc;
            Vector256.Store(c50 * va, c); Vector256.Store(c51 * va, c + 8);
        }
        else
        {
            var vb = Vector256.Create(beta);
            Update256(c, c00, c01, va, vb); c += ldc;
            Update256(c, c10, c11, va, vb); c += ldc;
            Update256(c, c20, c21, va, vb); c += ldc;
            Update256(c, c30, c31, va, vb); c += ldc;
            Update256(c, c40, c41, va, vb); c += ldc;
            Update256(c, c50, c51, va, vb);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update256(float* c, Vector256<float> lo, Vector256<float> hi, Vector256<float> alpha, Vector256<float> beta)
    {
        Vector256.Store(MulAdd(lo, alpha, Vector256.Load(c) * beta), c);
        Vector256.Store(MulAdd(hi, alpha, Vector256.Load(c + 8) * beta), c + 8);
    }

    /// <summary>The same tile with 128-bit vectors (Arm64 NEON, or x86 without AVX).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel128(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta)
    {
        // Two passes of 6×8 keep the accumulator count within 16 registers.
        for (int half = 0; half < 2; half++)
        {
            float* ap = a;
            float* bp = b + half * 8;
            Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
            Vector128<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            for (int p = 0; p < kc; p++)
            {
                var b0 = Vector128.Load(bp);
                var b1 = Vector128.Load(bp + 4);
                var av = Vector128.Create(ap[0]);
                c00 += av * b0; c01 += av * b1;
                av = Vector128.Create(ap[1]);
                c10 += av * b0; c11 += av * b1;
                av = Vector128.Create(ap[2]);
                c20 += av * b0; c21 += av * b1;
                av = Vector128.Create(ap[3]);
                c30 += av * b0; c31 += av * b1;
                av = Vector128.Create(ap[4]);
                c40 += av * b0; c41 += av * b1;
                av = Vector128.Create(ap[5]);
                c50 += av * b0; c51 += av * b1;
                ap += MR;
                bp += NR;
            }
            float* cp = c + half * 8;
            Update128(cp, c00, c01, alpha, beta); cp += ldc;
            Update128(cp, c10, c11, alpha, beta); cp += ldc;
            Update128(cp, c20, c21, alpha, beta); cp += ldc;
            Update128(cp, c30, c31, alpha, beta); cp += ldc;
            Update128(cp, c40, c41, alpha, beta); cp += ldc;
            Update128(cp, c50, c51, alpha, beta);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update128(float* c, Vector128<float> lo, Vector128<float> hi, float alpha, float beta)
    {
        var va = Vector128.Create(alpha);
        if (beta == 0f)
        {
            Vector128.Store(lo * va, c);
            Vector128.Store(hi * va, c + 4);
        }
        else
        {
            var vb = Vector128.Create(beta);
            Vector128.Store(lo * va + Vector128.Load(c) * vb, c);
            Vector128.Store(hi * va + Vector128.Load(c + 4) * vb, c + 4);
        }
    }

    /// <summary>Plain loops over the packed panels: the last resort, and a check on the vector kernels.</summary>
    private static void KernelScalar(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta)
    {
        float* acc = stackalloc float[MR * NR];
        new Span<float>(acc, MR * NR).Clear();
        for (int p = 0; p < kc; p++)
            for (int i = 0; i < MR; i++)
            {
                float av = a[p * MR + i];
                for (int j = 0; j < NR; j++) acc[i * NR + j] += av * b[p * NR + j];
            }
        for (int i = 0; i < MR; i++)
            for (int j = 0; j < NR; j++)
                c[(long)i * ldc + j] = beta == 0f ? alpha * acc[i * NR + j] : alpha * acc[i * NR + j] + beta * c[(long)i * ldc + j];
    }
}

/// <summary>The micro-kernels <see cref="ManagedGemm"/> can run.</summary>
internal enum ManagedGemmKernel
{
    Vector256,
    Vector128,
    Scalar,
}
