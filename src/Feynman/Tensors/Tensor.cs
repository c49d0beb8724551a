using System.Globalization;
using System.Text;
using Feynman.Autograd;

namespace Feynman.Tensors;

/// <summary>
/// An N-dimensional float32 tensor: a view (offset, shape, strides in elements) over a
/// <see cref="TensorStorage"/>. Views share storage; kernels want contiguous tensors and call
/// <c>Contiguous()</c>, which copies only when needed. Autograd state lives here as in PyTorch:
/// <see cref="RequiresGrad"/>, <see cref="Grad"/>, and the <see cref="GradFn"/> that produced it.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private readonly int[] shape;
    private readonly int[] strides;
    private TensorScope? scope;
    private bool requiresGrad;
    private bool disposed;

    internal Tensor(TensorStorage storage, int offset, int[] shape, int[] strides)
    {
        Storage = storage;
        Offset = offset;
        this.shape = shape;
        this.strides = strides;
        Count = TensorShape.Count(shape);
        scope = TensorScope.Current;
        scope?.Add(this);
    }

    // ---------------------------------------------------------------- creation

    /// <summary>A new tensor with undefined contents (its buffer comes from the pool).</summary>
    public static Tensor Empty(params ReadOnlySpan<int> shape)
    {
        var dims = TensorShape.Validate(shape);
        return new Tensor(new TensorStorage(BufferPool.Rent(TensorShape.Count(dims)), pooled: true), 0, dims, TensorShape.ContiguousStrides(dims));
    }

    public static Tensor Zeros(params ReadOnlySpan<int> shape) => Full(0f, shape);

    public static Tensor Ones(params ReadOnlySpan<int> shape) => Full(1f, shape);

    public static Tensor Full(float value, params ReadOnlySpan<int> shape)
    {
        var t = Empty(shape);
        t.Span.Fill(value);
        return t;
    }

    /// <summary>A zero-dimensional tensor holding one value.</summary>
    public static Tensor Scalar(float value) => Full(value, ReadOnlySpan<int>.Empty);

    /// <summary>Wraps <paramref name="data"/> without copying; the tensor sees later changes to the array.</summary>
    public static Tensor FromArray(float[] data, params ReadOnlySpan<int> shape)
    {
        var dims = shape.IsEmpty && data.Length != 1 ? [data.Length] : TensorShape.Validate(shape);
        if (TensorShape.Count(dims) != data.Length)
            throw new ArgumentException($"{data.Length} values do not fill shape {TensorShape.Format(dims)} ({TensorShape.Count(dims)} elements).");
        return new Tensor(new TensorStorage(data, pooled: false), 0, dims, TensorShape.ContiguousStrides(dims));
    }

    /// <summary>A new tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor From(ReadOnlySpan<float> data, params ReadOnlySpan<int> shape)
    {
        var t = Empty(shape.IsEmpty && data.Length != 1 ? [data.Length] : shape);
        if (t.Count != data.Length)
            throw new ArgumentException($"{data.Length} values do not fill shape {t.ShapeString} ({t.Count} elements).");
        data.CopyTo(t.Span);
        return t;
    }

    /// <summary>Uniform samples in [low, high).</summary>
    public static Tensor Uniform(Generator rng, float low, float high, params ReadOnlySpan<int> shape)
    {
        var t = Empty(shape);
        rng.FillUniform(t.Span, low, high);
        return t;
    }

    public static Tensor Rand(Generator rng, params ReadOnlySpan<int> shape) => Uniform(rng, 0f, 1f, shape);

    /// <summary>Standard normal samples.</summary>
    public static Tensor Randn(Generator rng, params ReadOnlySpan<int> shape)
    {
        var t = Empty(shape);
        rng.FillNormal(t.Span, 0f, 1f);
        return t;
    }

    // ---------------------------------------------------------------- geometry

    public TensorStorage Storage { get; }

    /// <summary>Index of the first element in <see cref="Storage"/>.</summary>
    public int Offset { get; }

    public ReadOnlySpan<int> Shape => shape;

    public ReadOnlySpan<int> Strides => strides;

    internal int[] ShapeArray => shape;

    internal int[] StridesArray => strides;

    public int Rank => shape.Length;

    /// <summary>Number of elements.</summary>
    public int Count { get; }

    /// <summary>Size of dimension <paramref name="dim"/>; negative counts from the end, as in PyTorch.</summary>
    public int Size(int dim) => shape[TensorShape.NormalizeDim(dim, shape.Length)];

    public string ShapeString => TensorShape.Format(shape);

    public bool IsContiguous => TensorShape.IsContiguous(shape, strides);

    /// <summary>The elements of a contiguous tensor, in row-major order.</summary>
    public Span<float> Span
    {
        get
        {
            ThrowIfDisposed();
            if (!IsContiguous) throw new InvalidOperationException($"tensor {ShapeString} is not contiguous; call Contiguous() first.");
            return Storage.Array.AsSpan(Offset, Count);
        }
    }

    /// <summary>The contiguous elements as a read-only span.</summary>
    public ReadOnlySpan<float> ReadOnlySpan => Span;

    /// <summary>A copy of the elements in row-major order (works for any view).</summary>
    public float[] ToArray()
    {
        ThrowIfDisposed();
        var result = new float[Count];
        TensorShape.CopyStrided(Storage.Array, Offset, shape, strides, result);
        return result;
    }

    /// <summary>The value of a one-element tensor.</summary>
    public float Item()
    {
        if (Count != 1) throw new InvalidOperationException($"Item() needs a one-element tensor, not {ShapeString}.");
        ThrowIfDisposed();
        return Storage.Array[Offset];
    }

    /// <summary>Element access by full index (for tests and small code, not for hot loops).</summary>
    [System.Runtime.CompilerServices.IndexerName("Element")]
    public float this[params int[] index]
    {
        get => Storage.Array[ElementOffset(index)];
        set => Storage.Array[ElementOffset(index)] = value;
    }

    private int ElementOffset(int[] index)
    {
        ThrowIfDisposed();
        if (index.Length != shape.Length) throw new ArgumentException($"index of rank {index.Length} for tensor {ShapeString}.");
        int offset = Offset;
        for (int d = 0; d < index.Length; d++)
        {
            int i = index[d] < 0 ? index[d] + shape[d] : index[d];
            if ((uint)i >= (uint)shape[d]) throw new IndexOutOfRangeException($"index {index[d]} out of range for dimension {d} of size {shape[d]}.");
            offset += i * strides[d];
        }
        return offset;
    }

    // ---------------------------------------------------------------- autograd state

    /// <summary>
    /// Whether gradients flow to this tensor. Set it on leaves (parameters, inputs you differentiate
    /// by); results of operations on such tensors require grad by construction.
    /// </summary>
    public bool RequiresGrad
    {
        get => requiresGrad || GradFn != null;
        set
        {
            if (GradFn != null && !value) throw new InvalidOperationException("a non-leaf tensor always requires grad; use Detach().");
            requiresGrad = value;
        }
    }

    /// <summary>The accumulated gradient of a leaf after <c>Backward()</c>; null before, or after ZeroGrad.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>The recorded operation that produced this tensor, or null for a leaf.</summary>
    public Node? GradFn { get; internal set; }

    public bool IsLeaf => GradFn == null;

    /// <summary>Keep the gradient of this non-leaf tensor after backward (PyTorch's retain_grad).</summary>
    public bool RetainsGrad { get; private set; }

    public Tensor RetainGrad()
    {
        RetainsGrad = true;
        return this;
    }

    /// <summary>Optional name, used by anomaly messages and debugging.</summary>
    public string? Name { get; set; }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor (PyTorch's requires_grad_).</summary>
    public Tensor RequireGrad(bool value = true)
    {
        RequiresGrad = value;
        return this;
    }

    /// <summary>A view of the same storage with no gradient history.</summary>
    public Tensor Detach()
    {
        ThrowIfDisposed();
        Storage.AddReference();
        return new Tensor(Storage, Offset, shape, strides);
    }

    /// <summary>Runs backward from this scalar (or with an explicit output gradient).</summary>
    public void Backward(Tensor? gradient = null) => AutogradEngine.Backward(this, gradient);

    // ---------------------------------------------------------------- lifetime

    public bool IsDisposed => disposed;

    /// <summary>Takes this tensor out of the scope it was created in and into the enclosing one (or none).</summary>
    public Tensor MoveToOuterScope()
    {
        if (scope != null && scope.Remove(this))
        {
            scope = scope.Outer;
            scope?.Add(this);
        }
        return this;
    }

    /// <summary>Takes this tensor out of every scope: it lives until disposed or collected.</summary>
    public Tensor Persist()
    {
        scope?.Remove(this);
        scope = null;
        return this;
    }

    /// <summary>Releases the buffer (to the pool if pooled). Using the tensor afterwards throws.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        Storage.Release();
    }

    internal void ThrowIfDisposed()
    {
        if (disposed || Storage.IsReleased)
            throw new ObjectDisposedException(nameof(Tensor), $"tensor {ShapeString}{(Name is null ? "" : $" '{Name}'")} was disposed (by its TensorScope?); use MoveToOuterScope() to keep it.");
    }

    public override string ToString()
    {
        if (disposed) return $"Tensor{ShapeString} (disposed)";
        var sb = new StringBuilder($"Tensor{ShapeString}");
        if (GradFn != null) sb.Append(" grad_fn=").Append(GradFn.Name);
        else if (requiresGrad) sb.Append(" requires_grad");
        var values = Count <= 16 ? ToArray() : null;
        if (values != null)
            sb.Append(" [").Append(string.Join(", ", values.Select(v => v.ToString("G6", CultureInfo.InvariantCulture)))).Append(']');
        return sb.ToString();
    }
}
