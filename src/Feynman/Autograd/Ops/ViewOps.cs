using Feynman.Tensors;

namespace Feynman.Autograd;

/// <summary>Views: reshape, transpose, permute, narrow, expand, and the copy that makes a view contiguous.</summary>
public static partial class Ops
{
    /// <summary>Same elements, new shape (one dimension may be -1). A view when the input is contiguous, else a copy.</summary>
    public static Tensor Reshape(Tensor x, params ReadOnlySpan<int> shape)
    {
        var dims = InferShape(x, shape);
        var source = x.IsContiguous ? x : Contiguous(x);
        source.Storage.AddReference();
        var y = new Tensor(source.Storage, source.Offset, dims, TensorShape.ContiguousStrides(dims));
        if (AutogradEngine.ShouldRecord(source))
        {
            AutogradEngine.Record(y, "reshape", [source], g =>
            {
                var target = AutogradEngine.GradTarget(source, out bool acc);
                if (acc) TensorPrimitives.Add(target.Span, g.Span, target.Span);
                else g.Span.CopyTo(target.Span);
            });
        }
        return y;
    }

    private static int[] InferShape(Tensor x, ReadOnlySpan<int> shape)
    {
        var dims = shape.ToArray();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"reshape {TensorShape.Format(shape)}: only one dimension can be -1.");
                infer = i;
            }
            else if (dims[i] < 0) throw new ArgumentException($"reshape {TensorShape.Format(shape)}: negative dimension.");
            else known *= dims[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || x.Count % known != 0)
                throw new ArgumentException($"cannot reshape {x.ShapeString} ({x.Count} elements) to {TensorShape.Format(shape)}.");
            dims[infer] = (int)(x.Count / known);
        }
        else if (known != x.Count)
            throw new ArgumentException($"cannot reshape {x.ShapeString} ({x.Count} elements) to {TensorShape.Format(shape)} ({known} elements).");
        return dims;
    }

    /// <summary>Flattens dimensions startDim..endDim into one (nn.Flatten flattens 1..-1).</summary>
    public static Tensor Flatten(Tensor x, int startDim = 1, int endDim = -1)
    {
        if (x.Rank == 0) return Reshape(x, 1);
        int s = TensorShape.NormalizeDim(startDim, x.Rank), e = TensorShape.NormalizeDim(endDim, x.Rank);
        if (s > e) throw new ArgumentException($"flatten: start dimension {startDim} comes after end dimension {endDim}.");
        var shape = new List<int>();
        for (int d = 0; d < s; d++) shape.Add(x.Shape[d]);
        int merged = 1;
        for (int d = s; d <= e; d++) merged *= x.Shape[d];
        shape.Add(merged);
        for (int d = e + 1; d < x.Rank; d++) shape.Add(x.Shape[d]);
        return Reshape(x, shape.ToArray());
    }

    /// <summary>A view with the dimensions reordered: output dimension i is input dimension <paramref name="dims"/>[i].</summary>
    public static Tensor Permute(Tensor x, params int[] dims)
    {
        if (dims.Length != x.Rank) throw new ArgumentException($"permute needs {x.Rank} dimensions, got {dims.Length}.");
        var seen = new bool[x.Rank];
        var shape = new int[x.Rank];
        var strides = new int[x.Rank];
        var inverse = new int[x.Rank];
        for (int i = 0; i < dims.Length; i++)
        {
            int d = TensorShape.NormalizeDim(dims[i], x.Rank);
            if (seen[d]) throw new ArgumentException($"permute: dimension {d} repeated.");
            seen[d] = true;
            shape[i] = x.Shape[d];
            strides[i] = x.Strides[d];
            inverse[d] = i;
        }
        x.Storage.AddReference();
        var y = new Tensor(x.Storage, x.Offset, shape, strides);
        if (AutogradEngine.ShouldRecord(x))
        {
            AutogradEngine.Record(y, "permute", [x], g =>
            {
                using var back = Contiguous(Permute(g, inverse));
                AutogradEngine.Accumulate(x, back.Span);
            });
        }
        return y;
    }

    /// <summary>A view with two dimensions swapped.</summary>
    public static Tensor Transpose(Tensor x, int dim0, int dim1)
    {
        var dims = new int[x.Rank];
        for (int i = 0; i < dims.Length; i++) dims[i] = i;
        int a = TensorShape.NormalizeDim(dim0, x.Rank), b = TensorShape.NormalizeDim(dim1, x.Rank);
        (dims[a], dims[b]) = (dims[b], dims[a]);
        return Permute(x, dims);
    }

    /// <summary>A view of <paramref name="length"/> entries of dimension <paramref name="dim"/> starting at <paramref name="start"/>.</summary>
    public static Tensor Narrow(Tensor x, int dim, int start, int length)
    {
        int d = TensorShape.NormalizeDim(dim, x.Rank);
        if (start < 0 || length < 0 || start + length > x.Shape[d])
            throw new ArgumentOutOfRangeException(nameof(start), $"narrow [{start}, {start + length}) is outside dimension {d} of size {x.Shape[d]}.");
        var shape = x.Shape.ToArray();
        shape[d] = length;
        x.Storage.AddReference();
        var y = new Tensor(x.Storage, x.Offset + start * x.Strides[d], shape, x.Strides.ToArray());
        if (AutogradEngine.ShouldRecord(x))
        {
            AutogradEngine.Record(y, "narrow", [x], g =>
            {
                var target = AutogradEngine.GradTarget(x, out bool acc);
                if (!acc) target.Span.Clear();
                using var region = Narrow(target, d, start, length);
                AddInto(region, g);
            });
        }
        return y;
    }

    /// <summary>A view repeating size-1 dimensions to <paramref name="shape"/> (stride 0), as PyTorch's expand.</summary>
    public static Tensor Expand(Tensor x, params int[] shape)
    {
        var target = TensorShape.Broadcast(x.Shape, shape);
        if (!TensorShape.SameShape(target, shape)) throw new ArgumentException($"cannot expand {x.ShapeString} to {TensorShape.Format(shape)}.");
        x.Storage.AddReference();
        var y = new Tensor(x.Storage, x.Offset, target, TensorShape.BroadcastStrides(x.Shape, x.Strides, target));
        if (AutogradEngine.ShouldRecord(x))
            AutogradEngine.Record(y, "expand", [x], g => ReduceGradToShape(x, g));
        return y;
    }

    /// <summary>Inserts a size-1 dimension at <paramref name="dim"/>.</summary>
    public static Tensor Unsqueeze(Tensor x, int dim)
    {
        int d = dim < 0 ? dim + x.Rank + 1 : dim;
        if (d < 0 || d > x.Rank) throw new ArgumentOutOfRangeException(nameof(dim), $"unsqueeze dimension {dim} for rank {x.Rank}.");
        var shape = new int[x.Rank + 1];
        for (int i = 0, j = 0; i < shape.Length; i++) shape[i] = i == d ? 1 : x.Shape[j++];
        return Reshape(x, shape);
    }

    /// <summary>Removes dimension <paramref name="dim"/>, which must have size 1.</summary>
    public static Tensor Squeeze(Tensor x, int dim)
    {
        int d = TensorShape.NormalizeDim(dim, x.Rank);
        if (x.Shape[d] != 1) throw new ArgumentException($"squeeze: dimension {dim} of {x.ShapeString} is not 1.");
        var shape = new int[x.Rank - 1];
        for (int i = 0, j = 0; i < x.Rank; i++) if (i != d) shape[j++] = x.Shape[i];
        return Reshape(x, shape);
    }

    /// <summary>The tensor itself if contiguous, else a contiguous copy.</summary>
    public static Tensor Contiguous(Tensor x)
    {
        if (x.IsContiguous) return x;
        var y = Tensor.Empty(x.Shape);
        TensorShape.CopyStrided(x.Storage.Array, x.Offset, x.Shape, x.Strides, y.Span);
        if (AutogradEngine.ShouldRecord(x))
            AutogradEngine.Record(y, "contiguous", [x], g => AutogradEngine.Accumulate(x, g.Span));
        return y;
    }

    /// <summary>A contiguous copy that shares nothing with the input (PyTorch's clone).</summary>
    public static Tensor Clone(Tensor x)
    {
        var y = Tensor.Empty(x.Shape);
        TensorShape.CopyStrided(x.Storage.Array, x.Offset, x.Shape, x.Strides, y.Span);
        if (AutogradEngine.ShouldRecord(x))
            AutogradEngine.Record(y, "clone", [x], g => AutogradEngine.Accumulate(x, g.Span));
        return y;
    }

    /// <summary>Adds contiguous <paramref name="source"/> into the (possibly strided) view <paramref name="target"/>.</summary>
    internal static void AddInto(Tensor target, Tensor source)
    {
        if (target.IsContiguous)
        {
            TensorPrimitives.Add(target.Span, source.Span, target.Span);
            return;
        }
        var src = source.Span;
        var arr = target.Storage.Array;
        int rank = target.Rank;
        Span<int> index = stackalloc int[rank];
        var shape = target.Shape;
        var strides = target.Strides;
        for (int i = 0; i < src.Length; i++)
        {
            int off = target.Offset;
            for (int d = 0; d < rank; d++) off += index[d] * strides[d];
            arr[off] += src[i];
            for (int d = rank - 1; d >= 0; d--)
            {
                if (++index[d] < shape[d]) break;
                index[d] = 0;
            }
        }
    }
}
