using Feynman.Data;

namespace Feynman.Paradigms;

/// <summary>
/// A teacher's soft targets computed once for every sample of a dataset and looked up by index
/// afterwards: valid only when the student sees the inputs unaugmented, as the teacher did.
/// </summary>
public sealed class CachedTeacher : ITeacher
{
    private readonly float[] targets;
    private readonly float temperature;

    private CachedTeacher(string name, int classes, float[] targets, float temperature)
    {
        Name = name;
        Classes = classes;
        this.targets = targets;
        this.temperature = temperature;
    }

    public string Name { get; }

    public int Classes { get; }

    /// <summary>Runs <paramref name="teacher"/> over <paramref name="dataset"/> once, in batches, in order.</summary>
    public static CachedTeacher Build(ITeacher teacher, IDataset dataset, float temperature, int batchSize = 500)
    {
        var all = new float[(long)dataset.Count * teacher.Classes is var n && n <= Array.MaxLength ? (int)n : throw new ArgumentException("dataset too large to cache teacher outputs.")];
        using var loader = new DataLoader(dataset, batchSize);
        int offset = 0;
        foreach (var batch in loader.Epoch(0))
        {
            int len = batch.Size * teacher.Classes;
            teacher.SoftTargets(batch, temperature, all.AsSpan(offset, len));
            offset += len;
        }
        return new CachedTeacher(teacher.Name, teacher.Classes, all, temperature);
    }

    public void SoftTargets(Batch batch, float temperature, Span<float> destination)
    {
        if (temperature != this.temperature)
            throw new InvalidOperationException($"cached teacher {Name} holds targets at T={this.temperature}, asked for T={temperature}.");
        var idx = batch.Indices.Span;
        for (int i = 0; i < idx.Length; i++)
            targets.AsSpan(idx[i] * Classes, Classes).CopyTo(destination.Slice(i * Classes, Classes));
    }
}
