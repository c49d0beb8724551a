using Feynman.Data;

namespace Feynman.Paradigms;

/// <summary>Several teachers as one: the mean of their soft targets (Hinton et al. 2015, section 3).</summary>
public sealed class EnsembleTeacher : ITeacher
{
    private readonly ITeacher[] members;
    private float[] member = []; // one member's targets, reused from batch to batch

    public EnsembleTeacher(string name, IReadOnlyList<ITeacher> teachers)
    {
        if (teachers.Count == 0) throw new ArgumentException("an ensemble needs at least one teacher.");
        if (teachers.Any(t => t.Classes != teachers[0].Classes))
            throw new ArgumentException($"ensemble members disagree on the number of classes: {string.Join(", ", teachers.Select(t => $"{t.Name}={t.Classes}"))}.");
        Name = name;
        members = teachers.ToArray();
    }

    public string Name { get; }

    public int Classes => members[0].Classes;

    public IReadOnlyList<ITeacher> Members => members;

    public void SoftTargets(Batch batch, float temperature, Span<float> destination)
    {
        if (member.Length < destination.Length) member = new float[destination.Length];
        var one = member.AsSpan(0, destination.Length);
        destination.Clear();
        foreach (var m in members)
        {
            m.SoftTargets(batch, temperature, one);
            TensorPrimitives.Add(destination, one, destination);
        }
        TensorPrimitives.Multiply(destination, 1f / members.Length, destination);
    }
}
