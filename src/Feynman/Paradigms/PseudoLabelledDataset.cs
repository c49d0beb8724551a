using Feynman.Data;

namespace Feynman.Paradigms;

/// <summary>
/// The labelled samples followed by pool samples with pseudo-labels in place of their own labels
/// (indices 0..c·L−1 are the labelled set repeated c = <see cref="LabelledCopies"/> times, c·L.. the chosen pool
/// samples). Repeating the labels keeps them from being swamped when the pseudo-labels outnumber them many times.
/// </summary>
public sealed class PseudoLabelledDataset : IDataset
{
    private readonly int[] poolIndices;
    private readonly int[] poolLabels;

    public PseudoLabelledDataset(IDataset labelled, IDataset pool, int[] poolIndices, int[] poolLabels, int labelledCopies = 1)
    {
        if (labelledCopies < 1) throw new ArgumentOutOfRangeException(nameof(labelledCopies), $"the labelled set must appear at least once, got {labelledCopies} copies.");
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
        LabelledCopies = labelledCopies;
    }

    /// <summary>How many times the labelled set appears before the pool samples.</summary>
    public int LabelledCopies { get; }

    private int LabelledCount => Labelled.Count * LabelledCopies;

    public IDataset Labelled { get; }

    public IDataset Pool { get; }

    public string Name => LabelledCopies == 1 ? $"{Labelled.Name}+pseudo({poolIndices.Length})" : $"{Labelled.Name}x{LabelledCopies}+pseudo({poolIndices.Length})";

    public int Count => LabelledCount + poolIndices.Length;

    public IReadOnlyList<int> SampleShape => Labelled.SampleShape;

    public int SampleSize => Labelled.SampleSize;

    public IReadOnlyList<string> ClassNames => Labelled.ClassNames;

    public int GetLabel(int index) => index < LabelledCount ? Labelled.GetLabel(index % Labelled.Count) : poolLabels[index - LabelledCount];

    public void CopyInput(int index, Span<float> destination)
    {
        if (index < LabelledCount) Labelled.CopyInput(index % Labelled.Count, destination);
        else Pool.CopyInput(poolIndices[index - LabelledCount], destination);
    }
}
