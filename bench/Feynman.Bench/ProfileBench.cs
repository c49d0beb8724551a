using System.Diagnostics;
using System.Runtime.InteropServices;
using Feynman.Bench.Models;
using Feynman.Tensors.Kernels;

namespace Feynman.Bench;

/// <summary>
/// Where a training step's time goes: every GEMM is timed by shape through a wrapping backend, the
/// rest of the step is what is left. Times are wall time and, on Linux, this thread's CPU time (which a
/// busy shared machine disturbs less; meaningful for FEYNMAN_THREADS=1).
/// </summary>
public static unsafe partial class ProfileBench
{
    public static int Run(BenchArgs args)
    {
        var name = args.Get("model", "mlp1200");
        int steps = (int)args.Get("steps", 30);
        var inner = Gemm.Backend;
        var timing = new TimingGemm(inner);
        Gemm.Backend = timing;
        var model = BenchModels.Create(name);
        model.Setup(128, seed: 0);
        for (int i = 0; i < 5; i++) model.Step();
        timing.Reset();
        long cpu0 = ThreadCpuNs();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) model.Step();
        double wall = sw.Elapsed.TotalMilliseconds / steps;
        double cpu = (ThreadCpuNs() - cpu0) / 1e6 / steps;
        Gemm.Backend = inner;
        Console.WriteLine($"{name}: {steps} steps, gemm {inner.Name} ({inner.Threads} threads)");
        Console.WriteLine($"  step        wall {wall,8:F3} ms   thread cpu {cpu,8:F3} ms");
        double gemmWall = 0, gemmCpu = 0;
        foreach (var (shape, entry) in timing.Entries.OrderByDescending(e => e.Value.WallNs))
        {
            double w = entry.WallNs / 1e6 / steps, c = entry.CpuNs / 1e6 / steps;
            gemmWall += w; gemmCpu += c;
            double gflop = 2.0 * entry.Flops / 1e9 / (entry.WallNs / 1e9);
            Console.WriteLine($"  gemm {shape,-22} wall {w,8:F3} ms   thread cpu {c,8:F3} ms   {entry.Calls / steps} calls/step  {gflop,6:F1} GFLOP/s");
        }
        Console.WriteLine($"  all gemm    wall {gemmWall,8:F3} ms   thread cpu {gemmCpu,8:F3} ms");
        Console.WriteLine($"  not gemm    wall {wall - gemmWall,8:F3} ms   thread cpu {cpu - gemmCpu,8:F3} ms");
        return 0;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec value);

    /// <summary>CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID), or 0 where libc has no such clock.</summary>
    internal static long ThreadCpuNs()
    {
        if (!OperatingSystem.IsLinux()) return 0;
        return ClockGetTime(3, out var t) == 0 ? t.Seconds * 1_000_000_000 + t.Nanoseconds : 0;
    }

    private sealed class TimingGemm(IGemmBackend inner) : IGemmBackend
    {
        public sealed class Entry
        {
            public long Calls, WallNs, CpuNs, Flops;
        }

        public Dictionary<string, Entry> Entries { get; } = [];

        public string Name => inner.Name;

        public int Threads => inner.Threads;

        public void Reset() => Entries.Clear();

        public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
        {
            long cpu0 = ThreadCpuNs();
            long t0 = Stopwatch.GetTimestamp();
            inner.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            long wall = (long)((Stopwatch.GetTimestamp() - t0) * (1e9 / Stopwatch.Frequency));
            long cpu = ThreadCpuNs() - cpu0;
            string key = $"{(transA ? 'T' : 'N')}{(transB ? 'T' : 'N')} {m}x{n}x{k} b{beta}";
            if (!Entries.TryGetValue(key, out var e)) Entries[key] = e = new Entry();
            e.Calls++; e.WallNs += wall; e.CpuNs += cpu; e.Flops += (long)m * n * k;
        }
    }
}
