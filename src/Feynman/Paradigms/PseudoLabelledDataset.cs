using Feynman.Data;

namespace Feynman.Paradigms;

/// <summary>
/// The labelled samples followed by pool samples with pseudo-labels in place of their own labels
/// (indices 0..L−1 are the labelled set, L.. the chosen pool samples).
/// </summary>
public sealed class PseudoLabelledDataset : IDataset
{
    private readonly int[] poolIndices;
    private readonly int[] poolLabels;

    public PseudoLabelledDataset(IDataset labelled, IDataset pool, int[] poolIndices, int[] poolLabels)
    {
        if (poolIndices.Length != poolLabels.Length)
            throw new ArgumentException($"{poolIndices.Length} pool indices but {poolLabels.Length} pseudo-labels.");
        if (!labelled.SampleShape.SequenceEqual(pool.SampleShape))
            throw new ArgumentException($"labelled samples [{string.Join(", ", labelled.SampleShape)}] and pool samples [{string.Join(", ", pool.SampleShape)}] differ in shape.");
        if (labelled.ClassNames.Count != pool.ClassNames.Count)
            throw new ArgumentException($"labelled set has {labelled.ClassNames.Count} classes, pool {pool.ClassNames.Count}.");
        foreach (int i in poolIndices)
            if ((uint)i >= (uint)pool.Count) throw new ArgumentOutOfRangeException(nameof(poolIndices), $"pool index {i} is outside [0, {pool.Count}).");
        foreach (int y in poolLabels)
            if ((uint)y >= (uint)labelled.ClassNames.Count) throw new ArgumentOutOfRangeException(nameof(poolLabels), $"pseudo-label {y} is outside [0, {labelled.ClassNames.Count}).");
        Labelled = labelled;
        Pool = pool;
        this.poolIndices = poolIndices;
        this.poolLabels = poolLabels;
    }

    public IDataset Labelled { get; }

    public IDataset Pool { get; }

    public string Name => $"{Labelled.Name}+pseudo({poolIndices.Length})";

    public int Count => Labelled.Count + poolIndices.Length;

    public IReadOnlyList<int> SampleShape => Labelled.SampleShape;

    public int SampleSize => Labelled.SampleSize;

    public IReadOnlyList<string> ClassNames => Labelled.ClassNames;

    public int GetLabel(int index) => index < Labelled.Count ? Labelled.GetLabel(index) : poolLabels[index - Labelled.Count];

    public void CopyInput(int index, Span<float> destination)
    {
        if (index < Labelled.Count) Labelled.CopyInput(index, destination);
        else Pool.CopyInput(poolIndices[index - Labelled.Count], destination);
    }
}
