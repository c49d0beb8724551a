using Feynman.Tensors;

namespace Feynman.Nn;

/// <summary>The weight table Embedding and EmbeddingBag share: checked sizes, N(0, 1) init, a zero padding row.</summary>
internal static class EmbeddingTable
{
    /// <summary>Checks the sizes and padding index (negative counts from the end, as in PyTorch) and returns the normalised index.</summary>
    public static int? CheckSizes(string layer, int numEmbeddings, int embeddingDim, int? paddingIdx)
    {
        if (numEmbeddings <= 0 || embeddingDim <= 0)
            throw new ArgumentOutOfRangeException(nameof(numEmbeddings), $"{layer} needs positive sizes, got num_embeddings={numEmbeddings}, embedding_dim={embeddingDim}.");
        if (paddingIdx is not { } p) return null;
        if (p >= numEmbeddings || p < -numEmbeddings)
            throw new ArgumentOutOfRangeException(nameof(paddingIdx), $"{layer}: padding_idx {p} must be within num_embeddings ({numEmbeddings}).");
        return p < 0 ? p + numEmbeddings : p;
    }

    /// <summary>A [num, dim] weight drawn from N(0, 1) with the padding row zeroed (torch.nn.Embedding.reset_parameters).</summary>
    public static Tensor CreateWeight(int numEmbeddings, int embeddingDim, int? paddingIdx, Generator? rng)
    {
        var weight = TensorScope.Outside(() => Tensor.Empty(numEmbeddings, embeddingDim));
        Init.Normal(weight, 0, 1, rng);
        if (paddingIdx is { } pad) weight.Span.Slice(pad * embeddingDim, embeddingDim).Clear();
        return weight;
    }
}
