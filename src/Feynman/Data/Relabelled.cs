namespace Feynman.Data;

/// <summary>
/// Some samples of another dataset with labels given here rather than the source's: the labels an oracle
/// gave in active learning, or noisy labels in a label-quality study.
/// </summary>
public sealed class Relabelled : IDataset
{
    private readonly int[] indices;
    private readonly int[] labels;

    public Relabelled(IDataset source, int[] indices, int[] labels, string? name = null)
    {
        if (indices.Length != labels.Length)
            throw new ArgumentException($"{source.Name}: {indices.Length} indices but {labels.Length} labels; give one label per index.");
        int classes = source.ClassNames.Count;
        for (int i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)source.Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"index {indices[i]} is outside {source.Name} (0..{source.Count - 1}).");
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), $"label {labels[i]} of sample {indices[i]} is outside 0..{classes - 1} ({source.Name}).");
        }
        Source = source;
        this.indices = indices;
        this.labels = labels;
        Name = name ?? $"{source.Name}[relabelled {indices.Length}]";
    }

    public IDataset Source { get; }

    /// <summary>Indices into <see cref="Source"/>.</summary>
    public ReadOnlySpan<int> Indices => indices;

    public string Name { get; }

    public int Count => indices.Length;

    public IReadOnlyList<int> SampleShape => Source.SampleShape;

    public int SampleSize => Source.SampleSize;

    public IReadOnlyList<string> ClassNames => Source.ClassNames;

    public int GetLabel(int index) => labels[index];

    public void CopyInput(int index, Span<float> destination) => Source.CopyInput(indices[index], destination);
}
