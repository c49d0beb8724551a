using System.Collections.Concurrent;

namespace Feynman.Tensors;

/// <summary>
/// Float buffers by exact length, allocated on the pinned object heap so kernels and BLAS can take
/// their address without pinning. A training step rents the same sizes every time, so after the
/// first step every rent is served from the pool and the managed heap sees (almost) nothing.
/// </summary>
public static class BufferPool
{
    private const int MaxPerLength = 64;
    private static readonly ConcurrentDictionary<int, ConcurrentBag<float[]>> Free = new();
    private static long allocatedBytes;

    /// <summary>Bytes of buffers this pool has ever allocated (not rented from its free lists).</summary>
    public static long AllocatedBytes => Interlocked.Read(ref allocatedBytes);

    /// <summary>A buffer of exactly <paramref name="length"/> floats, with undefined contents.</summary>
    public static float[] Rent(int length)
    {
        if (length == 0) return [];
        if (Free.TryGetValue(length, out var bag) && bag.TryTake(out var array)) return array;
        Interlocked.Add(ref allocatedBytes, (long)length * sizeof(float));
        return GC.AllocateUninitializedArray<float>(length, pinned: true);
    }

    /// <summary>Gives a buffer back; the caller must not touch it afterwards.</summary>
    public static void Return(float[] array)
    {
        if (array.Length == 0) return;
        var bag = Free.GetOrAdd(array.Length, static _ => new ConcurrentBag<float[]>());
        if (bag.Count < MaxPerLength) bag.Add(array);
    }

    /// <summary>Drops every pooled buffer (tests and long-lived processes that change model sizes).</summary>
    public static void Clear() => Free.Clear();
}
