using Feynman.Autograd;
using Feynman.Tensors;

namespace Feynman.Nn;

/// <summary>
/// Sums, means or maxes of bags of embeddings without materialising the rows (torch.nn.EmbeddingBag,
/// default mode "mean"); weight initialised N(0, 1), padding row zeroed and left out of every bag.
/// Its input is integer indices with bag offsets, so call <see cref="Forward(int[], int[], Tensor?)"/>; the tensor overload throws.
/// </summary>
public sealed class EmbeddingBag : Module
{
    public EmbeddingBag(int numEmbeddings, int embeddingDim, string mode = "mean", int? paddingIdx = null, Generator? rng = null)
    {
        paddingIdx = EmbeddingTable.CheckSizes("EmbeddingBag", numEmbeddings, embeddingDim, paddingIdx);
        if (mode is not ("sum" or "mean" or "max"))
            throw new ArgumentException($"EmbeddingBag: mode must be \"sum\", \"mean\" or \"max\", got \"{mode}\".", nameof(mode));
        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        Mode = mode;
        PaddingIdx = paddingIdx;
        Weight = RegisterParameter("weight", EmbeddingTable.CreateWeight(numEmbeddings, embeddingDim, PaddingIdx, rng));
    }

    public int NumEmbeddings { get; }

    public int EmbeddingDim { get; }

    /// <summary>"sum", "mean" or "max".</summary>
    public string Mode { get; }

    public int? PaddingIdx { get; }

    /// <summary>[num_embeddings, embedding_dim].</summary>
    public Tensor Weight { get; }

    /// <summary>
    /// [bags, embedding_dim]: bag b reduces the rows of indices[offsets[b] .. offsets[b+1]) (the last bag runs
    /// to the end); empty bags give zeros. <paramref name="perSampleWeights"/> scale each index (mode "sum" only).
    /// </summary>
    public Tensor Forward(int[] indices, int[] offsets, Tensor? perSampleWeights = null) =>
        Ops.EmbeddingBag(Weight, indices, offsets, Mode, perSampleWeights, PaddingIdx);

    /// <summary>Not available: tensors hold float32 values, and this layer takes integer indices.</summary>
    public override Tensor Forward(Tensor x) =>
        throw new NotSupportedException($"EmbeddingBag takes integer indices, not a float tensor ({x.ShapeString}): call Forward(int[] indices, int[] offsets).");

    protected override string ExtraRepr() => $"{NumEmbeddings}, {EmbeddingDim}, mode={Mode}{(PaddingIdx is { } p ? $", padding_idx={p}" : "")}";
}
