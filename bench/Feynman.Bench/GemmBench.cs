using System.Diagnostics;
using Feynman.Tensors;
using Feynman.Tensors.Kernels;

namespace Feynman.Bench;

/// <summary>GFLOP/s of the managed GEMM and OpenBLAS, one and two threads, at the MLP 784-1200-1200-10 shapes and square sizes.</summary>
public static unsafe class GemmBench
{
    private sealed record Shape(string Name, bool TransA, bool TransB, int M, int N, int K);

    // Batch 128 through Linear(784,1200), Linear(1200,1200), Linear(1200,10): forward x·Wᵀ (NT),
    // input gradient dY·W (NN), weight gradient dYᵀ·X (TN). m×n×k.
    private static readonly Shape[] MlpShapes =
    [
        new("fc1 fwd", false, true, 128, 1200, 784),
        new("fc2 fwd", false, true, 128, 1200, 1200),
        new("fc3 fwd", false, true, 128, 10, 1200),
        new("fc3 dX", false, false, 128, 1200, 10),
        new("fc3 dW", true, false, 10, 1200, 128),
        new("fc2 dX", false, false, 128, 1200, 1200),
        new("fc2 dW", true, false, 1200, 1200, 128),
        new("fc1 dW", true, false, 1200, 784, 128),
    ];

    private static readonly Shape[] SquareShapes =
    [
        new("square", false, false, 128, 128, 128),
        new("square", false, false, 256, 256, 256),
        new("square", false, false, 512, 512, 512),
        new("square", false, false, 1024, 1024, 1024),
    ];

    public static int Run(BenchArgs args)
    {
        double ms = args.Get("ms", 300);
        // On a shared machine the mean measures the neighbours too; the fastest call (default) is what the
        // kernel can do; --metric cpu divides by this process's CPU time, --metric mean by wall time.
        var metric = args.Get("metric", "best");
        if (metric is not ("best" or "cpu" or "mean")) throw new ArgumentException($"--metric '{metric}' is not one of best, cpu, mean.");
        var set = args.Get("set", "all");
        var shapes = set switch
        {
            "mlp" => MlpShapes,
            "square" => SquareShapes,
            "all" => [.. MlpShapes, .. SquareShapes],
            _ => throw new ArgumentException($"--set '{set}' is not one of mlp, square, all."),
        };
        var blas = OpenBlasGemm.TryLoad(out var why);
        var backends = new List<(string Label, IGemmBackend Gemm, int Threads)>
        {
            ("managed 1T", new ManagedGemm(1), 1),
            ("managed 2T", new ManagedGemm(2), 2),
        };
        if (blas != null)
        {
            backends.Add(("openblas 1T", blas, 1));
            backends.Add(("openblas 2T", blas, 2));
        }
        else Console.WriteLine($"openblas: not measured ({why})");

        Console.WriteLine($"GEMM GFLOP/s{metric switch { "cpu" => " per CPU-second", "mean" => " (mean over the run)", _ => " (fastest call)" }}, {ms:F0} ms per cell, {Environment.ProcessorCount} cores, Vector256 {System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated}, FMA {System.Runtime.Intrinsics.X86.Fma.IsSupported}");
        Console.Write($"{"shape",-10} {"op",-3} {"m x n x k",-17}");
        foreach (var b in backends) Console.Write($" {b.Label,12}");
        Console.WriteLine();
        foreach (var s in shapes)
        {
            Console.Write($"{s.Name,-10} {(s.TransA ? 'T' : 'N')}{(s.TransB ? 'T' : 'N'),-2} {$"{s.M}x{s.N}x{s.K}",-17}");
            foreach (var (_, gemm, threads) in backends)
            {
                if (gemm is OpenBlasGemm ob) ob.SetThreads(threads);
                Console.Write($" {Measure(gemm, s, ms, metric),12:F1}");
            }
            Console.WriteLine();
        }
        blas?.SetThreads(Gemm.Threads);
        return 0;
    }

    private static double Measure(IGemmBackend gemm, Shape s, double ms, string metric)
    {
        var rng = new Generator(1);
        var a = Tensor.Uniform(rng, -1, 1, s.M * s.K);
        var b = Tensor.Uniform(rng, -1, 1, s.K * s.N);
        var c = Tensor.Zeros(s.M * s.N);
        int lda = s.TransA ? s.M : s.K, ldb = s.TransB ? s.K : s.N;
        fixed (float* pa = a.Span, pb = b.Span, pc = c.Span)
        {
            for (int i = 0; i < 3; i++) gemm.Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1f, pa, lda, pb, ldb, 0f, pc, s.N);
            long iterations = 0, fastest = long.MaxValue;
            var process = Process.GetCurrentProcess();
            var cpu0 = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed.TotalMilliseconds < ms)
            {
                long t0 = Stopwatch.GetTimestamp();
                gemm.Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1f, pa, lda, pb, ldb, 0f, pc, s.N);
                fastest = Math.Min(fastest, Stopwatch.GetTimestamp() - t0);
                iterations++;
            }
            process.Refresh();
            double flop = 2.0 * s.M * s.N * s.K;
            return metric switch
            {
                "cpu" => flop * iterations / (process.TotalProcessorTime - cpu0).TotalSeconds / 1e9,
                "mean" => flop * iterations / sw.Elapsed.TotalSeconds / 1e9,
                _ => flop / ((double)fastest / Stopwatch.Frequency) / 1e9,
            };
        }
    }
}
