using Feynman.Autograd;
using Feynman.Tensors;

namespace Feynman.Nn;

/// <summary>
/// A lookup table of <c>numEmbeddings</c> vectors of size <c>embeddingDim</c> (torch.nn.Embedding), weight
/// initialised N(0, 1) with the padding row zeroed; the padding row receives no gradient. Its input is
/// integer indices, so call <see cref="Forward(int[], int[])"/>; the tensor overload throws.
/// </summary>
public sealed class Embedding : Module
{
    public Embedding(int numEmbeddings, int embeddingDim, int? paddingIdx = null, Generator? rng = null)
    {
        paddingIdx = EmbeddingTable.CheckSizes("Embedding", numEmbeddings, embeddingDim, paddingIdx);
        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        PaddingIdx = paddingIdx;
        Weight = RegisterParameter("weight", EmbeddingTable.CreateWeight(numEmbeddings, embeddingDim, PaddingIdx, rng));
    }

    public int NumEmbeddings { get; }

    public int EmbeddingDim { get; }

    /// <summary>The row kept at zero and left out of gradients, or null.</summary>
    public int? PaddingIdx { get; }

    /// <summary>[num_embeddings, embedding_dim].</summary>
    public Tensor Weight { get; }

    /// <summary>The rows for <paramref name="indices"/>, shaped <paramref name="shape"/> + [embedding_dim] ([count, dim] when null).</summary>
    public Tensor Forward(int[] indices, int[]? shape = null) => Ops.Embedding(Weight, indices, shape, PaddingIdx);

    /// <summary>Not available: tensors hold float32 values, and this layer takes integer indices.</summary>
    public override Tensor Forward(Tensor x) =>
        throw new NotSupportedException($"Embedding takes integer indices, not a float tensor ({x.ShapeString}): call Forward(int[] indices, int[] shape).");

    protected override string ExtraRepr() => $"{NumEmbeddings}, {EmbeddingDim}{(PaddingIdx is { } p ? $", padding_idx={p}" : "")}";
}
