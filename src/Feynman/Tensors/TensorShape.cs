namespace Feynman.Tensors;

/// <summary>Shape arithmetic shared by tensors and kernels: counts, strides, broadcasting, strided copies.</summary>
public static class TensorShape
{
    public static int Count(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (var d in shape) n *= d;
        if (n > Array.MaxLength) throw new ArgumentException($"shape {Format(shape)} has more elements than one buffer can hold.");
        return (int)n;
    }

    internal static int[] Validate(ReadOnlySpan<int> shape)
    {
        foreach (var d in shape)
            if (d < 0) throw new ArgumentException($"negative dimension in shape {Format(shape)}.");
        return shape.ToArray();
    }

    public static int[] ContiguousStrides(ReadOnlySpan<int> shape)
    {
        var strides = new int[shape.Length];
        int s = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = s;
            s *= shape[d];
        }
        return strides;
    }

    public static bool IsContiguous(ReadOnlySpan<int> shape, ReadOnlySpan<int> strides)
    {
        int expected = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            if (shape[d] == 1) continue;
            if (strides[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    public static int NormalizeDim(int dim, int rank)
    {
        int d = dim < 0 ? dim + rank : dim;
        if ((uint)d >= (uint)Math.Max(rank, 1) || (rank == 0 && d != 0))
            throw new ArgumentOutOfRangeException(nameof(dim), $"dimension {dim} is out of range for a tensor of rank {rank}.");
        return d;
    }

    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    public static bool SameShape(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);

    /// <summary>The broadcast shape of two shapes (NumPy rules), or an error naming both.</summary>
    public static int[] Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            int db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"shapes {Format(a)} and {Format(b)} cannot be broadcast together (dimension {i}: {da} vs {db}).");
            result[i] = da == 1 ? db : da;
        }
        return result;
    }

    /// <summary>Strides that read a tensor of <paramref name="shape"/>/<paramref name="strides"/> as if it had <paramref name="target"/> shape (0 on broadcast dimensions).</summary>
    public static int[] BroadcastStrides(ReadOnlySpan<int> shape, ReadOnlySpan<int> strides, ReadOnlySpan<int> target)
    {
        var result = new int[target.Length];
        int lead = target.Length - shape.Length;
        for (int i = 0; i < shape.Length; i++)
            result[lead + i] = shape[i] == 1 && target[lead + i] != 1 ? 0 : strides[i];
        return result;
    }

    /// <summary>Copies a strided view into a contiguous destination (row-major order).</summary>
    public static void CopyStrided(float[] src, int offset, ReadOnlySpan<int> shape, ReadOnlySpan<int> strides, Span<float> dst)
    {
        int count = Count(shape);
        if (count == 0) return;
        int rank = shape.Length;
        if (rank == 0) { dst[0] = src[offset]; return; }
        if (IsContiguous(shape, strides)) { src.AsSpan(offset, count).CopyTo(dst); return; }
        int inner = shape[rank - 1], innerStride = strides[rank - 1];
        Span<int> index = stackalloc int[rank];
        int o = 0;
        int rows = count / Math.Max(inner, 1);
        for (int r = 0; r < rows; r++)
        {
            int s = offset;
            for (int d = 0; d < rank - 1; d++) s += index[d] * strides[d];
            if (innerStride == 1) src.AsSpan(s, inner).CopyTo(dst.Slice(o, inner));
            else for (int j = 0; j < inner; j++) dst[o + j] = src[s + j * innerStride];
            o += inner;
            for (int d = rank - 2; d >= 0; d--)
            {
                if (++index[d] < shape[d]) break;
                index[d] = 0;
            }
        }
    }
}
