using System.Diagnostics;
using Feynman.Autograd;
using Feynman.Tensors;
using Feynman.Tensors.Kernels;

// Forward + backward time of the benchmark CNN's feature extractor at batch 128:
// conv 1→32 3x3 pad 1, relu, maxpool 2, conv 32→64 3x3 pad 1, relu, maxpool 2 on 28x28 inputs.
// Usage: dotnet run -c Release --project bench/ConvBench [steps]   (per-layer times with --layers)
int steps = args.Length > 0 && int.TryParse(args[0], out var s) ? s : 30;
bool layers = args.Contains("--layers");
var rng = new Generator(1);
var x = Tensor.Randn(rng, 128, 1, 28, 28).Persist();
var w1 = (Tensor.Randn(rng, 32, 1, 3, 3) * 0.3f).Persist().RequireGrad();
var b1 = Tensor.Zeros(32).Persist().RequireGrad();
var w2 = (Tensor.Randn(rng, 64, 32, 3, 3) * 0.06f).Persist().RequireGrad();
var b2 = Tensor.Zeros(64).Persist().RequireGrad();
var gOut = Tensor.Randn(rng, 128, 64, 7, 7).Persist();
Console.WriteLine($"gemm: {Gemm.Backend.Name}, threads {Gemm.Backend.Threads}");

var times = new Dictionary<string, double>();
// Per-layer times are this thread's CPU time (the machine is shared; wall time is noisy). Run with
// FEYNMAN_THREADS=1 so that the GEMM runs on this thread too.
void Time(string name, Action a)
{
    if (!layers) { a(); return; }
    double t0 = ThreadCpu.Milliseconds();
    a();
    times[name] = times.GetValueOrDefault(name) + ThreadCpu.Milliseconds() - t0;
}

double Step()
{
    var sw = Stopwatch.StartNew();
    using var scope = TensorScope.Begin();
    Tensor h = x;
    Time("conv1", () => h = Ops.Conv2d(h, w1, b1, padding: 1));
    Time("relu1", () => h = Ops.Relu(h));
    Time("pool1", () => h = Ops.MaxPool2d(h, 2));
    Time("conv2", () => h = Ops.Conv2d(h, w2, b2, padding: 1));
    Time("relu2", () => h = Ops.Relu(h));
    Time("pool2", () => h = Ops.MaxPool2d(h, 2));
    Time("backward", () => h.Backward(gOut));
    return sw.Elapsed.TotalMilliseconds;
}

if (args.Contains("--kernels"))
{
    // conv2's pieces over the whole batch, in chunks of 4 samples as Conv2d does.
    int chunk = args.Contains("--chunk1") ? 1 : 4, k = 288, cols = chunk * 196;
    var xin = Tensor.Randn(rng, 128, 32, 14, 14).Persist();
    var col = new float[k * cols];
    var outc = new float[64 * cols];
    var dx = new float[128 * 32 * 196];
    void Measure(string name, Action<int> a)
    {
        for (int r = 0; r < 5; r++) for (int s0 = 0; s0 < 128; s0 += chunk) a(s0); // let the JIT reach tier 1
        double t0 = ThreadCpu.Milliseconds();
        var wall = Stopwatch.StartNew();
        for (int r = 0; r < steps; r++) for (int s0 = 0; s0 < 128; s0 += chunk) a(s0);
        Console.WriteLine($"  {name,-10} {(ThreadCpu.Milliseconds() - t0) / steps:F2} ms cpu, {wall.Elapsed.TotalMilliseconds / steps:F2} ms wall per batch");
    }
    Measure("clear col", s0 => col.AsSpan().Clear());
    Measure("copy col", s0 => outc.AsSpan().CopyTo(col));
    Measure("im2col", s0 => ConvKernels.Im2Col(xin.Span.Slice(s0 * 32 * 196, chunk * 32 * 196), chunk, 32, 14, 14, 3, 3, 1, 1, 1, 1, 14, 14, col));
    Measure("col2im", s0 => ConvKernels.Col2Im(col, chunk, 32, 14, 14, 3, 3, 1, 1, 1, 1, 14, 14, dx.AsSpan(s0 * 32 * 196, chunk * 32 * 196)));
    Measure("gemm fwd", s0 => Gemm.Sgemm(false, false, 64, cols, k, 1f, w2.Span, k, col, cols, 0f, outc, cols));
    Measure("gemm fwd/1", s0 => { for (int q = 0; q < chunk; q++) Gemm.Sgemm(false, false, 64, 196, k, 1f, w2.Span, k, col.AsSpan(q * 196), cols, 0f, outc.AsSpan(q * 64 * 196), 196); });
    Measure("gemm dW/1", s0 => { for (int q = 0; q < chunk; q++) Gemm.Sgemm(false, true, 64, k, 196, 1f, outc.AsSpan(q * 64 * 196), 196, col.AsSpan(q * 196), cols, 1f, w2.Span, k); });
    Measure("gemm dX/1", s0 => { for (int q = 0; q < chunk; q++) Gemm.Sgemm(true, false, k, 196, 64, 1f, w2.Span, k, outc.AsSpan(q * 64 * 196), 196, 0f, col.AsSpan(q * 196), cols); });
    Measure("transpose", s0 => { for (int q = 0; q < chunk; q++) for (int oc = 0; oc < 64; oc++) outc.AsSpan(oc * cols + q * 196, 196).CopyTo(dx.AsSpan((s0 + q) * 64 * 196 % dx.Length + oc * 196, 196)); });
    Measure("gemm dW", s0 => Gemm.Sgemm(false, true, 64, k, cols, 1f, outc, cols, col, cols, 1f, w2.Span, k));
    Measure("gemm dX", s0 => Gemm.Sgemm(true, false, k, cols, 64, 1f, w2.Span, k, outc, cols, 0f, col, cols));
    return;
}
if (args.Contains("--ops"))
{
    // Each op alone: forward, then backward of its own output (CPU time of this thread, mean over steps).
    var a1 = Tensor.Randn(rng, 128, 32, 28, 28).Persist().RequireGrad();
    var a2 = Tensor.Randn(rng, 128, 32, 14, 14).Persist().RequireGrad();
    var a3 = Tensor.Randn(rng, 128, 64, 14, 14).Persist().RequireGrad();
    var ops = new (string Name, Func<Tensor> F, Tensor[] Leaves)[]
    {
        ("conv1", () => Ops.Conv2d(x, w1, b1, padding: 1), [w1, b1]),
        ("relu1", () => Ops.Relu(a1), [a1]),
        ("pool1", () => Ops.MaxPool2d(a1, 2), [a1]),
        ("conv2", () => Ops.Conv2d(a2, w2, b2, padding: 1), [a2, w2, b2]),
        ("pool2", () => Ops.MaxPool2d(a3, 2), [a3]),
    };
    foreach (var (name, f, leaves) in ops)
    {
        double fwd = 0, bwd = 0;
        for (int i = 0; i < steps + 10; i++)
        {
            using var scope = TensorScope.Begin();
            foreach (var l in leaves) { l.Grad?.Dispose(); l.Grad = null; }
            double t0 = ThreadCpu.Milliseconds();
            var y = f();
            double t1 = ThreadCpu.Milliseconds();
            var gy = Tensor.Ones(y.Shape);
            double t2 = ThreadCpu.Milliseconds();
            y.Backward(gy);
            double t3 = ThreadCpu.Milliseconds();
            if (i >= 10) { fwd += t1 - t0; bwd += t3 - t2; }
        }
        Console.WriteLine($"  {name,-6} forward {fwd / steps:F2} ms, backward {bwd / steps:F2} ms");
    }
    return;
}
for (int i = 0; i < 5; i++) Step();
times.Clear();
long allocated = BufferPool.AllocatedBytes, gcBytes = GC.GetAllocatedBytesForCurrentThread();
var all = new List<double>();
var cpu = Process.GetCurrentProcess().TotalProcessorTime;
for (int i = 0; i < steps; i++) all.Add(Step());
cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
all.Sort();
Console.WriteLine($"forward+backward, batch 128: median {all[all.Count / 2]:F2} ms, best {all[0]:F2} ms over {steps} steps, cpu {cpu.TotalMilliseconds / steps:F2} ms/step");
Console.WriteLine($"pool allocated during timed steps: {BufferPool.AllocatedBytes - allocated} bytes; managed heap: {GC.GetAllocatedBytesForCurrentThread() - gcBytes} bytes");
foreach (var (name, ms) in times) Console.WriteLine($"  {name,-9} {ms / steps:F2} ms");

internal static class ThreadCpu
{
    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern int clock_gettime(int clock, out TimeSpec ts);

    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    public static double Milliseconds()
    {
        clock_gettime(3, out var ts); // CLOCK_THREAD_CPUTIME_ID
        return ts.Seconds * 1e3 + ts.Nanoseconds / 1e6;
    }
}
