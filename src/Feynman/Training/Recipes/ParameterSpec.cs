namespace Feynman.Training.Recipes;

/// <summary>
/// A tensor a layer owns, named as PyTorch's nn.Sequential names it ("0.weight", "3.running_mean").
/// Buffers (batch-norm running statistics) are not trained; PyTorch also stores "num_batches_tracked" (an int64 scalar) for them.
/// </summary>
public sealed record ParameterSpec(string Name, IReadOnlyList<int> Shape, bool IsBuffer = false)
{
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);
}
