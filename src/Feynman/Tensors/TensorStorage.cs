namespace Feynman.Tensors;

/// <summary>
/// The buffer behind one or more tensors (a tensor and its views). Reference-counted so that a
/// pooled buffer goes back to the <see cref="BufferPool"/> only when its last tensor is disposed.
/// </summary>
public sealed class TensorStorage
{
    private int references = 1;

    internal TensorStorage(float[] array, bool pooled)
    {
        Array = array;
        Pooled = pooled;
    }

    /// <summary>The floats; valid while any tensor over this storage is alive.</summary>
    public float[] Array { get; private set; }

    /// <summary>Whether the buffer came from the pool and goes back to it.</summary>
    public bool Pooled { get; }

    public bool IsReleased => references <= 0;

    internal void AddReference() => Interlocked.Increment(ref references);

    internal void Release()
    {
        if (Interlocked.Decrement(ref references) != 0) return;
        if (Pooled) BufferPool.Return(Array);
        Array = [];
    }
}
