using Feynman.Autograd;
using Feynman.Tensors;

namespace Feynman.Nn;

/// <summary>
/// Multi-head attention (torch.nn.MultiheadAttention) with PyTorch's parameter layout: in_proj_weight
/// [3E, E] (query, key and value projections stacked; xavier_uniform), in_proj_bias [3E] (zeros),
/// and out_proj, a Linear(E, E) whose bias starts at zero. Inputs are [B, L, E] with
/// <c>batchFirst</c> (the default here; PyTorch's default is false) or [L, B, E], or unbatched [L, E].
/// Returns the attention output only (no averaged attention weights). Dropout on the attention
/// weights applies in training when <see cref="Dropout"/> &gt; 0.
/// </summary>
public sealed class MultiheadAttention : Module
{
    private readonly Generator rng;

    public MultiheadAttention(int embedDim, int numHeads, double dropout = 0, bool bias = true, bool batchFirst = true, Generator? rng = null)
    {
        if (embedDim <= 0 || numHeads <= 0)
            throw new ArgumentOutOfRangeException(nameof(embedDim), $"MultiheadAttention needs positive sizes, got embed_dim={embedDim}, num_heads={numHeads}.");
        if (embedDim % numHeads != 0)
            throw new ArgumentException($"MultiheadAttention: embed_dim {embedDim} must be divisible by num_heads {numHeads}.");
        if (!(dropout >= 0 && dropout <= 1))
            throw new ArgumentOutOfRangeException(nameof(dropout), $"MultiheadAttention: dropout must be in [0, 1], got {dropout}.");
        EmbedDim = embedDim;
        NumHeads = numHeads;
        HeadDim = embedDim / numHeads;
        Dropout = dropout;
        BatchFirst = batchFirst;
        this.rng = rng ?? Generator.Default;
        InProjWeight = RegisterParameter("in_proj_weight", TensorScope.Outside(() => Tensor.Empty(3 * embedDim, embedDim)));
        InProjBias = RegisterParameterOrNull("in_proj_bias", bias ? TensorScope.Outside(() => Tensor.Zeros(3 * embedDim)) : null);
        OutProj = RegisterModule("out_proj", new Linear(embedDim, embedDim, bias, this.rng));
        Init.XavierUniform(InProjWeight, rng: this.rng);
        if (OutProj.Bias is not null) Init.Zeros(OutProj.Bias);
    }

    public int EmbedDim { get; }

    public int NumHeads { get; }

    public int HeadDim { get; }

    /// <summary>Dropout probability on the attention weights (training only).</summary>
    public double Dropout { get; }

    public bool BatchFirst { get; }

    /// <summary>When set, <see cref="Forward(Tensor)"/> hides later positions from each query (a causal mask).</summary>
    public bool IsCausal { get; set; }

    /// <summary>[3·embed_dim, embed_dim]: rows 0..E project the query, E..2E the key, 2E..3E the value.</summary>
    public Tensor InProjWeight { get; }

    /// <summary>[3·embed_dim], or null without bias.</summary>
    public Tensor? InProjBias { get; }

    public Linear OutProj { get; }

    /// <summary>Self-attention of <paramref name="x"/> (causal when <see cref="IsCausal"/>).</summary>
    public override Tensor Forward(Tensor x) => Forward(x, x, x, isCausal: IsCausal);

    /// <summary>
    /// Attention of <paramref name="query"/> [B, L, E] over <paramref name="key"/> and <paramref name="value"/> [B, S, E]
    /// (sequence first when not batch-first). <paramref name="attnMask"/> is added to the scores and broadcasts to
    /// [B, H, L, S] ([L, S] and [B·H, L, S] as in PyTorch are accepted; use −∞ to hide a key). <paramref name="keyPaddingMask"/>,
    /// row-major [B, S], hides the keys marked true. <paramref name="isCausal"/> hides key j from query i when j &gt; i.
    /// </summary>
    public Tensor Forward(Tensor query, Tensor key, Tensor value, Tensor? attnMask = null, bool[]? keyPaddingMask = null, bool isCausal = false)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        bool unbatched = query.Rank == 2;
        if (query.Rank is not (2 or 3) || key.Rank != query.Rank || value.Rank != query.Rank)
            throw new ArgumentException($"MultiheadAttention: query {query.ShapeString}, key {key.ShapeString} and value {value.ShapeString} must all be 3-D ([B, L, E]) or all 2-D ([L, E]).");
        if (query.Size(-1) != EmbedDim || key.Size(-1) != EmbedDim || value.Size(-1) != EmbedDim)
            throw new ArgumentException($"MultiheadAttention(embed_dim={EmbedDim}): query {query.ShapeString}, key {key.ShapeString} and value {value.ShapeString} must end in {EmbedDim}.");
        bool self = ReferenceEquals(query, key) && ReferenceEquals(key, value);
        var q = ToBatchFirst(query, unbatched);
        var k = self ? q : ToBatchFirst(key, unbatched);
        var v = self ? q : ToBatchFirst(value, unbatched);
        int b = q.Shape[0], l = q.Shape[1], s = k.Shape[1], e = EmbedDim;
        if (k.Shape[0] != b || v.Shape[0] != b || v.Shape[1] != s)
            throw new ArgumentException($"MultiheadAttention: query {query.ShapeString}, key {key.ShapeString} and value {value.ShapeString} disagree on batch or key length.");

        Tensor qp, kp, vp;
        if (self)
        {
            // One GEMM for all three projections, as PyTorch does for self-attention.
            var packed = Ops.Linear(q, InProjWeight, InProjBias);
            qp = Ops.Narrow(packed, -1, 0, e);
            kp = Ops.Narrow(packed, -1, e, e);
            vp = Ops.Narrow(packed, -1, 2 * e, e);
        }
        else
        {
            qp = Project(q, 0);
            kp = Project(k, 1);
            vp = Project(v, 2);
        }
        var qh = SplitHeads(qp, b, l);
        var kh = SplitHeads(kp, b, s);
        var vh = SplitHeads(vp, b, s);
        var mask = BuildMask(attnMask, keyPaddingMask, b, l, s);

        Tensor attended;
        if (IsTraining && Dropout > 0)
        {
            // Dropout sits between the softmax and the product with V, so the fused kernel cannot be used.
            var scores = Ops.Mul(Ops.MatMul(qh, Ops.Transpose(kh, -2, -1)), 1f / MathF.Sqrt(HeadDim));
            if (mask is not null) scores = Ops.Add(scores, mask);
            if (isCausal) scores = Ops.Add(scores, CausalMask(l, s));
            var weights = Ops.Dropout(Ops.Softmax(scores, -1), (float)Dropout, true, rng);
            attended = Ops.MatMul(weights, vh);
        }
        else attended = Ops.ScaledDotProductAttention(qh, kh, vh, mask, isCausal);

        var merged = Ops.Reshape(Ops.Permute(attended, 0, 2, 1, 3), b, l, e);
        var output = OutProj.Forward(merged);
        if (unbatched) return Ops.Reshape(output, l, e);
        return BatchFirst ? output : Ops.Transpose(output, 0, 1);
    }

    private Tensor ToBatchFirst(Tensor x, bool unbatched)
    {
        if (unbatched) return Ops.Unsqueeze(x, 0);
        return BatchFirst ? x : Ops.Transpose(x, 0, 1);
    }

    // Rows which·E .. (which+1)·E of the packed projection.
    private Tensor Project(Tensor x, int which)
    {
        var w = Ops.Narrow(InProjWeight, 0, which * EmbedDim, EmbedDim);
        var bias = InProjBias is null ? null : Ops.Narrow(InProjBias, 0, which * EmbedDim, EmbedDim);
        return Ops.Linear(x, w, bias);
    }

    // [B, T, E] → [B, H, T, Dh]
    private Tensor SplitHeads(Tensor x, int b, int t) => Ops.Permute(Ops.Reshape(x, b, t, NumHeads, HeadDim), 0, 2, 1, 3);

    private Tensor? BuildMask(Tensor? attnMask, bool[]? keyPaddingMask, int b, int l, int s)
    {
        Tensor? mask = null;
        if (attnMask is not null)
        {
            if (attnMask.Rank == 2)
            {
                if (attnMask.Shape[0] != l || attnMask.Shape[1] != s)
                    throw new ArgumentException($"MultiheadAttention: a 2-D attn_mask must be [L, S] = [{l}, {s}], got {attnMask.ShapeString}.");
                mask = attnMask;
            }
            else if (attnMask.Rank == 3)
            {
                if (attnMask.Shape[0] != b * NumHeads || attnMask.Shape[1] != l || attnMask.Shape[2] != s)
                    throw new ArgumentException($"MultiheadAttention: a 3-D attn_mask must be [B·H, L, S] = [{b * NumHeads}, {l}, {s}], got {attnMask.ShapeString}.");
                mask = Ops.Reshape(attnMask, b, NumHeads, l, s);
            }
            else if (attnMask.Rank == 4) mask = attnMask;
            else throw new ArgumentException($"MultiheadAttention: attn_mask must be [L, S], [B·H, L, S] or broadcast to [B, H, L, S], got {attnMask.ShapeString}.");
        }
        if (keyPaddingMask is not null)
        {
            if (keyPaddingMask.Length != b * s)
                throw new ArgumentException($"MultiheadAttention: key_padding_mask must hold B·S = {b}·{s} = {b * s} flags (row-major [B, S]), got {keyPaddingMask.Length}.");
            var padding = Tensor.Zeros(b, 1, 1, s);
            var ps = padding.Span;
            for (int i = 0; i < ps.Length; i++) if (keyPaddingMask[i]) ps[i] = float.NegativeInfinity;
            mask = mask is null ? padding : Ops.Add(mask, padding);
        }
        return mask;
    }

    private static Tensor CausalMask(int l, int s)
    {
        var mask = Tensor.Zeros(l, s);
        var ms = mask.Span;
        for (int i = 0; i < l; i++)
            for (int j = i + 1; j < s; j++) ms[i * s + j] = float.NegativeInfinity;
        return mask;
    }

    protected override string ExtraRepr() => "";
}
