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
