using Feynman.Tensors.Kernels;

namespace Feynman.Tests.Tensors;

public class KernelThreadsTests
{
    private sealed class RecordingJob(int parts, int failingPart = -1) : PartJob
    {
        public readonly int[] Runs = new int[parts];

        public override void Execute(int part)
        {
            Interlocked.Increment(ref Runs[part]);
            if (part == failingPart) throw new InvalidOperationException($"part {part} failed");
        }
    }

    [Fact]
    public void EveryPartRunsExactlyOnce()
    {
        for (int round = 0; round < 20; round++)
        {
            var job = new RecordingJob(3);
            KernelThreads.Run(job, 3);
            Assert.Equal([1, 1, 1], job.Runs);
        }
    }

    [Fact]
    public void WorkerFailureSurfacesAndThePoolStaysUsable()
    {
        var failing = new RecordingJob(2, failingPart: 1);
        var ex = Assert.Throws<InvalidOperationException>(() => KernelThreads.Run(failing, 2));
        Assert.Contains("part 1 failed", ex.Message);
        var next = new RecordingJob(2);
        KernelThreads.Run(next, 2);
        Assert.Equal([1, 1], next.Runs);
    }
}

/// <summary>
/// The numbers of a run must not depend on FEYNMAN_THREADS: a convolution's weight gradient is summed over
/// sample ranges whose count follows the machine's cores, and one thread goes through the same ranges in turn.
/// </summary>
public class ThreadCountIndependenceTests
{
    private static (float[] Y, float[] Gw, float[] Gb, float[] Gx) ConvStep(bool inline)
    {
        var rng = new Feynman.Tensors.Generator(seed: 7);
        // 64 samples of 16x14x14 through 32 filters of 3x3: far above the size at which the convolution splits.
        var x = Feynman.Tensors.Tensor.Randn(rng, 64, 16, 14, 14).RequireGrad();
        var w = Feynman.Tensors.Tensor.Randn(rng, 32, 16, 3, 3).RequireGrad();
        var b = Feynman.Tensors.Tensor.Randn(rng, 32).RequireGrad();
        KernelThreads.Inline = inline;
        try
        {
            var y = Feynman.Autograd.Ops.Conv2d(x, w, b, padding: 1);
            Feynman.Autograd.Ops.Sum(Feynman.Autograd.Ops.Mul(y, y)).Backward();
            return (y.ToArray(), w.Grad!.ToArray(), b.Grad!.ToArray(), x.Grad!.ToArray());
        }
        finally { KernelThreads.Inline = false; }
    }

    [Fact]
    public void AConvolutionOnOneThreadGivesTheSameBitsAsOnAllCores()
    {
        var parallel = ConvStep(inline: false);
        var serial = ConvStep(inline: true);
        Assert.Equal(parallel.Y, serial.Y);
        Assert.Equal(parallel.Gw, serial.Gw);
        Assert.Equal(parallel.Gb, serial.Gb);
        Assert.Equal(parallel.Gx, serial.Gx);
    }

    [Theory]
    [InlineData(300, 257, 513)]
    [InlineData(128, 1200, 784)]
    [InlineData(128, 784, 1200)]
    [InlineData(1200, 784, 128)]
    [InlineData(128, 1200, 1200)]
    [InlineData(128, 10, 1200)]
    [InlineData(64, 6272, 288)]
    [InlineData(288, 6272, 64)]
    public void GemmGivesTheSameBitsOnOneThreadAsOnTwo(int m, int n, int k)
    {
        var blas = OpenBlasGemm.TryLoad(out var why) ?? throw new InvalidOperationException($"OpenBLAS is needed: {why}");
        var rng = new Feynman.Tensors.Generator(seed: 3);
        var a = Feynman.Tensors.Tensor.Randn(rng, m, k).ToArray();
        var bm = Feynman.Tensors.Tensor.Randn(rng, k, n).ToArray();
        float[] Run(IGemmBackend gemm)
        {
            var c = new float[m * n];
            unsafe
            {
                fixed (float* pa = a, pb = bm, pc = c) gemm.Sgemm(false, false, m, n, k, 1f, pa, k, pb, n, 0f, pc, n);
            }
            return c;
        }
        try
        {
            blas.SetThreads(2);
            var two = Run(blas);
            Assert.Equal(1, blas.LibraryThreads); // OpenBLAS's own threading sums long k in another order
            blas.SetThreads(1);
            Assert.Equal(two, Run(blas));
        }
        finally { blas.SetThreads(Gemm.Threads); }
        Assert.Equal(Run(new ManagedGemm(2)), Run(new ManagedGemm(1)));
    }
}
