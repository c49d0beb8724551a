using Feynman.Data;
using Feynman.Nn;
using Feynman.Tensors;

namespace Feynman.Paradigms.ActiveLearning;

/// <summary>
/// What a query strategy sees: the current student, the pool, the unlabelled candidates (pool indices,
/// ascending) and the labelled samples (pool indices), and a seeded generator for random choices.
/// </summary>
public sealed record QueryContext(Module Model, IDataset Pool, int[] Candidates, int[] Labelled, Generator Rng)
{
    /// <summary>Samples per forward pass when the strategy runs the model.</summary>
    public int BatchSize { get; init; } = 1000;
}
