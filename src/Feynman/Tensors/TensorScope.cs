namespace Feynman.Tensors;

/// <summary>
/// Every tensor created on this thread while the scope is the innermost one is disposed when the
/// scope is, so its buffer returns to the pool: a training step wrapped in a scope allocates nothing
/// after the first. Like TorchSharp's <c>NewDisposeScope</c>: keep a result past the scope with
/// <see cref="Tensor.MoveToOuterScope"/> (or create it before the scope).
/// </summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? current;

    private readonly List<Tensor> tensors = new(256);
    private readonly TensorScope? outer;
    private bool disposed;

    private TensorScope(TensorScope? outer) => this.outer = outer;

    internal static TensorScope? Current => current;

    /// <summary>Opens a scope; dispose it (with <c>using</c>) to free what it collected.</summary>
    public static TensorScope Begin()
    {
        var scope = new TensorScope(current);
        current = scope;
        return scope;
    }

    /// <summary>Runs code whose tensors must outlive every open scope (parameters, optimizer state, gradients).</summary>
    public static T Outside<T>(Func<T> create)
    {
        var saved = current;
        current = null;
        try { return create(); }
        finally { current = saved; }
    }

    /// <summary>Until the returned value is disposed, new tensors belong to no scope.</summary>
    internal static Suspension Suspend()
    {
        var saved = current;
        current = null;
        return new Suspension(saved);
    }

    internal void Add(Tensor t) => tensors.Add(t);

    internal bool Remove(Tensor t)
    {
        // Most moves are of recent tensors: search from the end.
        int i = tensors.LastIndexOf(t);
        if (i < 0) return false;
        tensors.RemoveAt(i);
        return true;
    }

    internal TensorScope? Outer => outer;

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        if (current == this) current = outer;
        foreach (var t in tensors) t.Dispose();
        tensors.Clear();
    }

    internal readonly struct Suspension(TensorScope? saved) : IDisposable
    {
        public void Dispose() => current = saved;
    }
}
