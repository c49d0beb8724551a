namespace Feynman.Data;

/// <summary>A view of some samples of another dataset, in the order of <see cref="Indices"/> (PyTorch's Subset).</summary>
public sealed class Subset : IDataset
{
    private readonly int[] indices;

    public Subset(IDataset source, int[] indices, string? name = null)
    {
        Source = source;
        foreach (int i in indices)
            if ((uint)i >= (uint)source.Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"index {i} is outside {source.Name} (0..{source.Count - 1}).");
        this.indices = indices;
        Name = name ?? $"{source.Name}[subset of {indices.Length}]";
    }

    public IDataset Source { get; }

    /// <summary>Indices into <see cref="Source"/>.</summary>
    public ReadOnlySpan<int> Indices => indices;

    public string Name { get; }

    public int Count => indices.Length;

    public IReadOnlyList<int> SampleShape => Source.SampleShape;

    public int SampleSize => Source.SampleSize;

    public IReadOnlyList<string> ClassNames => Source.ClassNames;

    public int GetLabel(int index) => Source.GetLabel(indices[index]);

    public void CopyInput(int index, Span<float> destination) => Source.CopyInput(indices[index], destination);
}
