using Feynman.Tensors;

namespace Feynman.Autograd;

/// <summary>Embedding lookups: one row per index, or reduced bags of rows. Backwards scatter-add into a dense weight gradient.</summary>
public static partial class Ops
{
    private static int CheckEmbeddingWeight(Tensor weight, string op)
    {
        if (weight.Rank != 2) throw new ArgumentException($"{op}: weight must be [num_embeddings, dim], got {weight.ShapeString}.");
        return weight.Shape[0];
    }

    private static int? NormalizePaddingIdx(int? paddingIdx, int rows, string op)
    {
        if (paddingIdx is not int p) return null;
        int q = p < 0 ? p + rows : p;
        if ((uint)q >= (uint)rows) throw new ArgumentException($"{op}: padding index {p} is out of range for {rows} embeddings.");
        return q;
    }

    /// <summary>
    /// Rows of <paramref name="weight"/> [V, D] picked by <paramref name="indices"/>, shaped
    /// <paramref name="indicesShape"/> + [D] (a flat [count, D] when the shape is null), as
    /// torch.nn.functional.embedding. The row <paramref name="paddingIdx"/> receives no gradient.
    /// </summary>
    public static Tensor Embedding(Tensor weight, int[] indices, int[]? indicesShape = null, int? paddingIdx = null)
    {
        const string op = "embedding";
        ArgumentNullException.ThrowIfNull(indices);
        int v = CheckEmbeddingWeight(weight, op);
        int dimension = weight.Shape[1];
        var idxShape = indicesShape ?? [indices.Length];
        if (TensorShape.Count(idxShape) != indices.Length)
            throw new ArgumentException($"{op}: {indices.Length} indices do not fill shape {TensorShape.Format(idxShape)}.");
        for (int i = 0; i < indices.Length; i++)
            if ((uint)indices[i] >= (uint)v)
                throw new ArgumentException($"{op}: index {indices[i]} at position {i} is out of range for weight {weight.ShapeString} ({v} embeddings).");
        int? pad = NormalizePaddingIdx(paddingIdx, v, op);
        var ids = (int[])indices.Clone();
        var w = Contiguous(weight);
        var y = Tensor.Empty([.. idxShape, dimension]);
        var ws = w.Span;
        var ys = y.Span;
        for (int i = 0; i < ids.Length; i++) ws.Slice(ids[i] * dimension, dimension).CopyTo(ys.Slice(i * dimension, dimension));
        if (AutogradEngine.ShouldRecord(w))
        {
            AutogradEngine.Record(y, op, [w], g =>
            {
                var t = AutogradEngine.GradTarget(w, out bool acc);
                var ts = t.Span;
                if (!acc) ts.Clear();
                var gs = g.Span;
                for (int i = 0; i < ids.Length; i++)
                {
                    if (ids[i] == pad) continue;
                    var row = ts.Slice(ids[i] * dimension, dimension);
                    TensorPrimitives.Add(row, gs.Slice(i * dimension, dimension), row);
                }
            });
        }
        return y;
    }

    /// <summary>
    /// torch.nn.functional.embedding_bag with 1-D indices: bag b holds indices[offsets[b] .. offsets[b+1])
    /// (the last bag runs to the end), reduced by <paramref name="mode"/> "sum", "mean" or "max" into row b of
    /// the [B, D] result. Empty bags give zeros. <paramref name="perSampleWeights"/> [indices.Length] scale each
    /// entry (mode "sum" only) and receive a gradient when they require grad. Entries equal to
    /// <paramref name="paddingIdx"/> are left out of their bag (and out of the mean's count).
    /// </summary>
    public static Tensor EmbeddingBag(Tensor weight, int[] indices, int[] offsets, string mode = "mean", Tensor? perSampleWeights = null, int? paddingIdx = null)
    {
        const string op = "embedding_bag";
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(offsets);
        int v = CheckEmbeddingWeight(weight, op);
        int dimension = weight.Shape[1];
        bool sum = mode == "sum", mean = mode == "mean", max = mode == "max";
        if (!sum && !mean && !max) throw new ArgumentException($"{op}: mode must be \"sum\", \"mean\" or \"max\", got \"{mode}\".");
        int count = indices.Length, bags = offsets.Length;
        for (int i = 0; i < count; i++)
            if ((uint)indices[i] >= (uint)v)
                throw new ArgumentException($"{op}: index {indices[i]} at position {i} is out of range for weight {weight.ShapeString} ({v} embeddings).");
        if (bags > 0 && offsets[0] != 0)
            throw new ArgumentException($"{op}: offsets[0] must be 0 (the first bag starts at the first index), got {offsets[0]}.");
        for (int b = 0; b < bags; b++)
        {
            if (offsets[b] > count) throw new ArgumentException($"{op}: offset {offsets[b]} of bag {b} is past the {count} indices.");
            if (b > 0 && offsets[b] < offsets[b - 1]) throw new ArgumentException($"{op}: offsets must not decrease, but offsets[{b}] = {offsets[b]} < offsets[{b - 1}] = {offsets[b - 1]}.");
        }
        if (perSampleWeights is not null)
        {
            if (!sum) throw new ArgumentException($"{op}: per-sample weights work only with mode \"sum\", not \"{mode}\" (as in PyTorch).");
            if (perSampleWeights.Rank != 1 || perSampleWeights.Shape[0] != count)
                throw new ArgumentException($"{op}: per-sample weights must be [{count}] (one per index), got {perSampleWeights.ShapeString}.");
        }
        int? pad = NormalizePaddingIdx(paddingIdx, v, op);
        var ids = (int[])indices.Clone();
        var starts = (int[])offsets.Clone();
        var w = Contiguous(weight);
        var psw = perSampleWeights is null ? null : Contiguous(perSampleWeights);
        var y = Tensor.Zeros(bags, dimension);
        var ws = w.Span;
        var ys = y.Span;
        var scales = new float[count]; // factor of each entry in its bag's sum: 1, 1/count, or its sample weight
        var argmax = max ? new int[bags * dimension] : null;
        ReadOnlySpan<float> sampleWeights = psw is null ? default : psw.Span;
        for (int b = 0; b < bags; b++)
        {
            int start = starts[b], end = b + 1 < bags ? starts[b + 1] : count;
            var yr = ys.Slice(b * dimension, dimension);
            int members = 0;
            for (int j = start; j < end; j++) if (ids[j] != pad) members++;
            if (max)
            {
                var am = argmax!.AsSpan(b * dimension, dimension);
                am.Fill(-1);
                for (int j = start; j < end; j++)
                {
                    if (ids[j] == pad) continue;
                    var row = ws.Slice(ids[j] * dimension, dimension);
                    for (int k = 0; k < dimension; k++)
                        if (am[k] < 0 || row[k] > yr[k]) { yr[k] = row[k]; am[k] = ids[j]; }
                }
                continue;
            }
            for (int j = start; j < end; j++)
            {
                if (ids[j] == pad) continue;
                float s = psw is not null ? sampleWeights[j] : mean ? 1f / members : 1f;
                scales[j] = s;
                TensorPrimitives.MultiplyAdd(ws.Slice(ids[j] * dimension, dimension), s, yr, yr);
            }
        }
        if (AutogradEngine.ShouldRecord(w, psw))
        {
            AutogradEngine.Record(y, op, psw is null ? [w] : [w, psw], g =>
            {
                var gs = g.Span;
                if (w.RequiresGrad)
                {
                    var t = AutogradEngine.GradTarget(w, out bool acc);
                    var ts = t.Span;
                    if (!acc) ts.Clear();
                    for (int b = 0; b < bags; b++)
                    {
                        var gr = gs.Slice(b * dimension, dimension);
                        if (max)
                        {
                            for (int k = 0; k < dimension; k++)
                                if (argmax![b * dimension + k] is int row and >= 0) ts[row * dimension + k] += gr[k];
                            continue;
                        }
                        int end = b + 1 < bags ? starts[b + 1] : count;
                        for (int j = starts[b]; j < end; j++)
                        {
                            if (ids[j] == pad) continue;
                            var tr = ts.Slice(ids[j] * dimension, dimension);
                            TensorPrimitives.MultiplyAdd(gr, scales[j], tr, tr);
                        }
                    }
                }
                if (psw is not null)
                {
                    WriteElementwiseGrad(psw, dst =>
                    {
                        // d out[b] / d psw[j] = weight[ids[j]]
                        var wv = w.Span;
                        dst.Clear();
                        for (int b = 0; b < bags; b++)
                        {
                            int end = b + 1 < bags ? starts[b + 1] : count;
                            for (int j = starts[b]; j < end; j++)
                                if (ids[j] != pad) dst[j] = TensorPrimitives.Dot(g.Span.Slice(b * dimension, dimension), wv.Slice(ids[j] * dimension, dimension));
                        }
                    });
                }
            });
        }
        return y;
    }
}
