using Feynman.Tensors;

namespace Feynman.Autograd;

/// <summary>Joining and indexing: concat, stack, gather, index_select. Backwards scatter-add, so repeated indices sum.</summary>
public static partial class Ops
{
    /// <summary>Joins tensors along an existing dimension (torch.cat); all other dimensions must match.</summary>
    public static Tensor Concat(Tensor[] tensors, int dim)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Length == 0) throw new ArgumentException("concat needs at least one tensor.");
        var first = tensors[0];
        if (first.Rank == 0) throw new ArgumentException($"concat: zero-dimensional tensor {first.ShapeString} cannot be concatenated; use Stack.");
        int d = dim < 0 ? dim + first.Rank : dim;
        if ((uint)d >= (uint)first.Rank) throw new ArgumentException($"concat: dimension {dim} is out of range for {first.ShapeString}.");
        int total = 0;
        foreach (var t in tensors)
        {
            bool ok = t.Rank == first.Rank;
            for (int i = 0; ok && i < t.Rank; i++) ok = i == d || t.Shape[i] == first.Shape[i];
            if (!ok)
                throw new ArgumentException($"concat along dimension {dim}: shapes {string.Join(", ", tensors.Select(x => x.ShapeString))} differ outside that dimension.");
            total += t.Shape[d];
        }
        var (outer, _, inner) = SplitAroundDim(first.Shape, d);
        var shape = first.Shape.ToArray();
        shape[d] = total;
        var chunks = tensors.Select(t => t.Shape[d] * inner).ToArray();
        return JoinChunks(tensors, outer, chunks, shape, "concat");
    }

    /// <summary>Joins same-shaped tensors along a new dimension <paramref name="dim"/> (torch.stack).</summary>
    public static Tensor Stack(Tensor[] tensors, int dim)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Length == 0) throw new ArgumentException("stack needs at least one tensor.");
        var first = tensors[0];
        int rank = first.Rank + 1;
        int d = dim < 0 ? dim + rank : dim;
        if ((uint)d >= (uint)rank) throw new ArgumentException($"stack: dimension {dim} is out of range for a result of rank {rank} (inputs {first.ShapeString}).");
        foreach (var t in tensors)
            if (!TensorShape.SameShape(t.Shape, first.Shape))
                throw new ArgumentException($"stack needs tensors of one shape, got {string.Join(", ", tensors.Select(x => x.ShapeString))}.");
        int outer = 1, inner = 1;
        for (int i = 0; i < d; i++) outer *= first.Shape[i];
        for (int i = d; i < first.Rank; i++) inner *= first.Shape[i];
        var shape = new int[rank];
        for (int i = 0, j = 0; i < rank; i++) shape[i] = i == d ? tensors.Length : first.Shape[j++];
        var chunks = Enumerable.Repeat(inner, tensors.Length).ToArray();
        return JoinChunks(tensors, outer, chunks, shape, "stack");
    }

    /// <summary>Output row o is input 0's o-th chunk, then input 1's, ...; each input is [outer, chunks[j]] in memory.</summary>
    private static Tensor JoinChunks(Tensor[] tensors, int outer, int[] chunks, int[] shape, string name)
    {
        var inputs = tensors.Select(Contiguous).ToArray();
        var y = Tensor.Empty(shape);
        var ys = y.Span;
        int rowLength = chunks.Sum();
        for (int j = 0, offset = 0; j < inputs.Length; offset += chunks[j], j++)
        {
            var xs = inputs[j].Span;
            int chunk = chunks[j];
            for (int o = 0; o < outer; o++) xs.Slice(o * chunk, chunk).CopyTo(ys.Slice(o * rowLength + offset, chunk));
        }
        if (AutogradEngine.ShouldRecord(inputs))
        {
            AutogradEngine.Record(y, name, inputs, g =>
            {
                for (int j = 0, offset = 0; j < inputs.Length; offset += chunks[j], j++)
                {
                    int chunk = chunks[j], at = offset;
                    WriteElementwiseGrad(inputs[j], dst =>
                    {
                        var gs = g.Span;
                        for (int o = 0; o < outer; o++) gs.Slice(o * rowLength + at, chunk).CopyTo(dst.Slice(o * chunk, chunk));
                    });
                }
            });
        }
        return y;
    }

    /// <summary>
    /// torch.gather: out[i][j][k] = x[i][index[i][j][k]][k] for dim 1 (and likewise for any dim). The index
    /// has the output's shape <paramref name="indexShape"/>, the input's rank, and sizes no larger than the
    /// input's outside <paramref name="dim"/>. The backward scatter-adds, so repeated indices sum.
    /// </summary>
    public static Tensor Gather(Tensor input, int dim, int[] index, int[] indexShape)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(indexShape);
        int rank = input.Rank;
        int d = ReductionDim(input, dim, "gather");
        if (indexShape.Length != rank)
            throw new ArgumentException($"gather: index shape {TensorShape.Format(indexShape)} must have the rank of the input {input.ShapeString}.");
        if (TensorShape.Count(indexShape) != index.Length)
            throw new ArgumentException($"gather: {index.Length} indices do not fill index shape {TensorShape.Format(indexShape)}.");
        for (int i = 0; i < rank; i++)
            if (i != d && indexShape[i] > input.Shape[i])
                throw new ArgumentException($"gather: index shape {TensorShape.Format(indexShape)} is larger than input {input.ShapeString} in dimension {i}.");
        var x = Contiguous(input);
        var strides = TensorShape.ContiguousStrides(x.Shape);
        int size = x.Shape[d];
        var offsets = new int[index.Length];
        Span<int> at = stackalloc int[rank];
        for (int p = 0; p < index.Length; p++)
        {
            int ix = index[p];
            if ((uint)ix >= (uint)size)
                throw new ArgumentException($"gather: index {ix} at position {p} is out of range for dimension {d} of size {size} (input {input.ShapeString}).");
            int off = 0;
            for (int i = 0; i < rank; i++) off += (i == d ? ix : at[i]) * strides[i];
            offsets[p] = off;
            for (int i = rank - 1; i >= 0; i--)
            {
                if (++at[i] < indexShape[i]) break;
                at[i] = 0;
            }
        }
        var y = Tensor.Empty(indexShape);
        var xs = x.Span;
        var ys = y.Span;
        for (int p = 0; p < offsets.Length; p++) ys[p] = xs[offsets[p]];
        if (AutogradEngine.ShouldRecord(x))
        {
            AutogradEngine.Record(y, "gather", [x], g =>
            {
                var t = AutogradEngine.GradTarget(x, out bool acc);
                var ts = t.Span;
                if (!acc) ts.Clear();
                var gs = g.Span;
                for (int p = 0; p < offsets.Length; p++) ts[offsets[p]] += gs[p];
            });
        }
        return y;
    }

    /// <summary>
    /// torch.index_select: the entries <paramref name="indices"/> of dimension <paramref name="dim"/>, in that
    /// order (repeats allowed; their gradients add up).
    /// </summary>
    public static Tensor IndexSelect(Tensor input, int dim, int[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        int d = ReductionDim(input, dim, "index_select");
        var x = Contiguous(input);
        var (outer, n, inner) = SplitAroundDim(x.Shape, d);
        foreach (var ix in indices)
            if ((uint)ix >= (uint)n)
                throw new ArgumentException($"index_select: index {ix} is out of range for dimension {d} of size {n} (input {input.ShapeString}).");
        var picks = (int[])indices.Clone();
        int m = picks.Length;
        var shape = x.Shape.ToArray();
        shape[d] = m;
        var y = Tensor.Empty(shape);
        var xs = x.Span;
        var ys = y.Span;
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < m; j++)
                xs.Slice((o * n + picks[j]) * inner, inner).CopyTo(ys.Slice((o * m + j) * inner, inner));
        if (AutogradEngine.ShouldRecord(x))
        {
            AutogradEngine.Record(y, "index_select", [x], g =>
            {
                var t = AutogradEngine.GradTarget(x, out bool acc);
                var ts = t.Span;
                if (!acc) ts.Clear();
                var gs = g.Span;
                for (int o = 0; o < outer; o++)
                    for (int j = 0; j < m; j++)
                    {
                        var tr = ts.Slice((o * n + picks[j]) * inner, inner);
                        TensorPrimitives.Add(tr, gs.Slice((o * m + j) * inner, inner), tr);
                    }
            });
        }
        return y;
    }
}
