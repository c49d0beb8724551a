using Feynman.Tensors;

namespace Feynman.Data;

/// <summary>
/// One batch from a <see cref="DataLoader"/>: inputs [B, ...sample shape], labels, and the dataset
/// indices of its samples (to look up cached teacher outputs). The loader reuses these buffers for the
/// next batch, so use a batch before moving on and copy what must outlive it.
/// </summary>
public readonly record struct Batch(int Index, Tensor Inputs, int[] Labels, ReadOnlyMemory<int> Indices)
{
    public int Size => Labels.Length;
}
