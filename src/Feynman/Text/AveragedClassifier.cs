namespace Feynman.Text;

/// <summary>An ensemble teacher: the mean of its members' probabilities (members share the label set).</summary>
public sealed class AveragedClassifier : ITextClassifier
{
    public AveragedClassifier(IReadOnlyList<ITextClassifier> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0) throw new ArgumentException("an ensemble needs at least one member.", nameof(members));
        var labels = members[0].LabelNames;
        foreach (var m in members)
            if (!m.LabelNames.SequenceEqual(labels))
                throw new ArgumentException($"ensemble members disagree on labels: [{string.Join(", ", labels)}] and [{string.Join(", ", m.LabelNames)}].", nameof(members));
        Members = members;
        LabelNames = labels;
    }

    public IReadOnlyList<ITextClassifier> Members { get; }

    public IReadOnlyList<string> LabelNames { get; }

    public void PredictProbabilities(string text, Span<float> probabilities)
    {
        int c = LabelNames.Count;
        Span<float> member = stackalloc float[c];
        var sum = probabilities[..c];
        sum.Clear();
        foreach (var m in Members)
        {
            m.PredictProbabilities(text, member);
            TensorPrimitives.Add(sum, member, sum);
        }
        TensorPrimitives.Multiply(sum, 1f / Members.Count, sum);
    }
}
