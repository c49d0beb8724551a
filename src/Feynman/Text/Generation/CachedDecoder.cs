using Feynman.Autograd;
using Feynman.Tensors;

namespace Feynman.Text.Generation;

/// <summary>
/// The incremental inference path of a <see cref="ByteLanguageModel"/>: each call feeds one new token per sequence and
/// keeps every layer's keys and values in a cache, so a step costs one row of GEMMs and an attention over the cached
/// positions instead of a forward pass over the whole prefix. Every sequence sits in its own slot with its own position,
/// so a finished slot is refilled with a new sequence while the others go on (the batch stays full). The layers' own
/// LayerNorm, Linear and GELU kernels are reused, so its logits match <see cref="ByteLanguageModel.Forward(int[], int, int)"/>.
/// </summary>
public sealed class CachedDecoder
{
    private readonly ByteLanguageModel model;
    private readonly int slots, context, embed, heads, headDim;
    private readonly float[][] keys, values; // per layer: [slot, head, headDim, position]

    public CachedDecoder(ByteLanguageModel model, int slots)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (slots <= 0) throw new ArgumentOutOfRangeException(nameof(slots), $"a decoder needs at least one slot, got {slots}.");
        foreach (var block in model.Blocks)
            if (!block.NormFirst || block.Activation != "gelu")
                throw new ArgumentException("the cached decoder follows pre-norm GELU blocks, as ByteLanguageModel builds them.", nameof(model));
        this.model = model;
        this.slots = slots;
        context = model.ContextLength;
        embed = model.Options.EmbedDim;
        heads = model.Options.Heads;
        headDim = embed / heads;
        long perLayer = (long)slots * heads * context * headDim;
        if (perLayer > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(slots), $"{slots} slots of context {context} do not fit one cache array.");
        keys = new float[model.Blocks.Count][];
        values = new float[model.Blocks.Count][];
        for (int l = 0; l < keys.Length; l++)
        {
            keys[l] = new float[perLayer];
            values[l] = new float[perLayer];
        }
    }

    public int Slots => slots;

    /// <summary>
    /// Feeds <paramref name="tokens"/>[i] at position <paramref name="positions"/>[i] of the sequence in slot
    /// <paramref name="slotIds"/>[i] (positions 0..p-1 of that slot must have been fed before), and writes the next-token
    /// logits, row i of [n, vocabulary], into <paramref name="logits"/>. Position 0 starts a new sequence in the slot.
    /// </summary>
    public void Step(ReadOnlySpan<int> slotIds, ReadOnlySpan<int> tokens, ReadOnlySpan<int> positions, Span<float> logits)
    {
        int n = slotIds.Length;
        int vocabulary = model.VocabularySize;
        if (n == 0) return;
        if (tokens.Length != n || positions.Length != n || logits.Length < n * vocabulary)
            throw new ArgumentException($"decoder step: {n} slots need {n} tokens, {n} positions and {n * vocabulary} logits (got {tokens.Length}, {positions.Length}, {logits.Length}).");
        for (int i = 0; i < n; i++)
        {
            if ((uint)slotIds[i] >= (uint)slots) throw new ArgumentOutOfRangeException(nameof(slotIds), $"slot {slotIds[i]} is outside [0, {slots}).");
            if ((uint)positions[i] >= (uint)context) throw new ArgumentOutOfRangeException(nameof(positions), $"position {positions[i]} is outside the context [0, {context}).");
            if ((uint)tokens[i] >= (uint)vocabulary) throw new ArgumentOutOfRangeException(nameof(tokens), $"token {tokens[i]} is outside the vocabulary [0, {vocabulary}).");
        }

        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var x = Tensor.Empty(n, embed);
        var xs = x.Span;
        var tokenTable = model.TokenEmbedding.Weight.ReadOnlySpan;
        var positionTable = model.PositionEmbedding.ReadOnlySpan;
        for (int i = 0; i < n; i++)
            TensorPrimitives.Add(tokenTable.Slice(tokens[i] * embed, embed), positionTable.Slice(positions[i] * embed, embed), xs.Slice(i * embed, embed));

        for (int l = 0; l < model.Blocks.Count; l++)
        {
            var block = model.Blocks[l];
            var attention = block.SelfAttn;
            var qkv = Ops.Linear(block.Norm1.Forward(x), attention.InProjWeight, attention.InProjBias);
            var attended = Tensor.Empty(n, embed);
            Attend(l, qkv.ReadOnlySpan, attended.Span, slotIds, positions);
            x = Ops.Add(x, attention.OutProj.Forward(attended));
            var hidden = Ops.Gelu(block.Linear1.Forward(block.Norm2.Forward(x)));
            x = Ops.Add(x, block.Linear2.Forward(hidden));
        }
        var output = model.Head.Forward(model.FinalNorm.Forward(x));
        output.ReadOnlySpan.CopyTo(logits);
    }

    // Stores this step's keys and values in the cache, then attends each query over its slot's positions 0..p. The cache
    // is transposed ([headDim, position] per slot and head), so scores and outputs are a few long SIMD passes over
    // positions rather than one short 32-float dot product per position.
    private void Attend(int layer, ReadOnlySpan<float> qkv, Span<float> attended, ReadOnlySpan<int> slotIds, ReadOnlySpan<int> positions)
    {
        var k = keys[layer];
        var v = values[layer];
        float scale = 1f / MathF.Sqrt(headDim);
        var scores = BufferPool.Rent(context);
        try
        {
            for (int i = 0; i < slotIds.Length; i++)
            {
                int p = positions[i];
                var row = qkv.Slice(i * 3 * embed, 3 * embed);
                for (int h = 0; h < heads; h++)
                {
                    int head = (slotIds[i] * heads + h) * headDim * context;
                    var q = row.Slice(h * headDim, headDim);
                    var newKey = row.Slice(embed + h * headDim, headDim);
                    var newValue = row.Slice(2 * embed + h * headDim, headDim);
                    for (int d = 0; d < headDim; d++)
                    {
                        k[head + d * context + p] = newKey[d];
                        v[head + d * context + p] = newValue[d];
                    }
                    var s = scores.AsSpan(0, p + 1);
                    TensorPrimitives.Multiply(k.AsSpan(head, p + 1), q[0] * scale, s);
                    for (int d = 1; d < headDim; d++) TensorPrimitives.MultiplyAdd(k.AsSpan(head + d * context, p + 1), q[d] * scale, s, s);
                    float max = TensorPrimitives.Max(s);
                    TensorPrimitives.Subtract(s, max, s);
                    TensorPrimitives.Exp(s, s);
                    TensorPrimitives.Divide(s, TensorPrimitives.Sum(s), s);
                    var o = attended.Slice(i * embed + h * headDim, headDim);
                    for (int d = 0; d < headDim; d++) o[d] = TensorPrimitives.Dot(s, v.AsSpan(head + d * context, p + 1));
                }
            }
        }
        finally
        {
            BufferPool.Return(scores);
        }
    }
}
