using System.Runtime.ExceptionServices;

namespace Feynman.Tensors.Kernels;

/// <summary>
/// A few long-lived worker threads for splitting one kernel call into parts. Cheaper than
/// <c>Parallel.For</c> for the millisecond-sized GEMMs of a training step: no allocation per call,
/// and a worker that ran the previous GEMM is still spinning when the next one arrives.
/// One call at a time uses the workers; a concurrent or nested call runs its parts on its own thread.
/// </summary>
internal static class KernelThreads
{
    private static readonly Lock Gate = new();
    private static Worker[] workers = [];
    private static int busy;

    /// <summary>Runs every part on the calling thread, as with one kernel thread (tests compare the two).</summary>
    [ThreadStatic] internal static bool Inline;

    /// <summary>
    /// Runs <c>job.Execute(part)</c> for every part in [0, parts); the caller runs part 0. With one kernel
    /// thread (<c>FEYNMAN_THREADS=1</c>) the caller runs every part in turn.
    /// </summary>
    public static void Run(PartJob job, int parts)
    {
        if (parts <= 1 || Gemm.Threads <= 1 || Inline || Interlocked.CompareExchange(ref busy, 1, 0) != 0)
        {
            for (int p = 0; p < parts; p++) job.Execute(p);
            return;
        }
        try
        {
            var pool = EnsureWorkers(parts - 1);
            job.Pending = parts - 1;
            job.Failure = null;
            for (int p = 1; p < parts; p++) pool[p - 1].Start(job, p);
            try { job.Execute(0); }
            finally
            {
                // Wait even when part 0 failed: the workers still use the job's buffers.
                var spin = new SpinWait();
                while (Volatile.Read(ref job.Pending) != 0) spin.SpinOnce(sleep1Threshold: -1);
            }
            // Rethrown as itself, as if the part had run on this thread (which it does when the workers are busy).
            if (job.Failure is { } failure) ExceptionDispatchInfo.Throw(failure);
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    private static Worker[] EnsureWorkers(int count)
    {
        var current = workers;
        if (current.Length >= count) return current;
        lock (Gate)
        {
            if (workers.Length >= count) return workers;
            var grown = new Worker[count];
            Array.Copy(workers, grown, workers.Length);
            for (int i = workers.Length; i < count; i++) grown[i] = new Worker(i + 1);
            workers = grown;
            return grown;
        }
    }

    private sealed class Worker
    {
        private readonly ManualResetEventSlim ready = new(false, spinCount: 2000);
        private PartJob? job;
        private int part;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"feynman-kernel-{index}" };
            thread.Start();
        }

        public void Start(PartJob work, int index)
        {
            part = index;
            Volatile.Write(ref job, work);
            ready.Set();
        }

        private void Loop()
        {
            while (true)
            {
                ready.Wait();
                ready.Reset();
                var work = Volatile.Read(ref job)!;
                job = null;
                try { work.Execute(part); }
                catch (Exception e) { work.Failure = e; }
                finally { Interlocked.Decrement(ref work.Pending); }
            }
        }
    }
}

/// <summary>One splittable kernel call; subclasses hold the call's arguments and are reused between calls.</summary>
internal abstract class PartJob
{
    internal int Pending;
    internal Exception? Failure;

    public abstract void Execute(int part);
}
