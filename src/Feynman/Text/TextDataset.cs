namespace Feynman.Text;

/// <summary>
/// A named set of labelled texts: label names (index = <see cref="TextExample.Label"/>), the examples, and
/// optionally a finer group per example (e.g. SpamAssassin's "easy-ham-1", "hard-ham-1", "spam-2") that
/// stratified splits keep in proportion.
/// </summary>
public sealed class TextDataset
{
    public TextDataset(string name, IReadOnlyList<string> labelNames, IReadOnlyList<TextExample> examples, IReadOnlyList<string>? groups = null)
    {
        ArgumentNullException.ThrowIfNull(labelNames);
        ArgumentNullException.ThrowIfNull(examples);
        if (labelNames.Count == 0) throw new ArgumentException($"text dataset '{name}' has no label names.", nameof(labelNames));
        if (groups is not null && groups.Count != examples.Count)
            throw new ArgumentException($"text dataset '{name}': {groups.Count} groups for {examples.Count} examples.", nameof(groups));
        for (int i = 0; i < examples.Count; i++)
        {
            int label = examples[i].Label;
            if (label != TextExample.Unlabelled && (uint)label >= (uint)labelNames.Count)
                throw new ArgumentException($"text dataset '{name}': example {examples[i].Id} has label {label}, outside the {labelNames.Count} label names.", nameof(examples));
        }
        Name = name;
        LabelNames = labelNames;
        Examples = examples;
        Groups = groups;
    }

    public string Name { get; }

    public IReadOnlyList<string> LabelNames { get; }

    public IReadOnlyList<TextExample> Examples { get; }

    /// <summary>A group name per example (finer than the label), or null.</summary>
    public IReadOnlyList<string>? Groups { get; }

    public int Count => Examples.Count;

    public TextExample this[int index] => Examples[index];

    /// <summary>How many examples carry each label (unlabelled ones are not counted).</summary>
    public int[] LabelCounts()
    {
        var counts = new int[LabelNames.Count];
        foreach (var e in Examples)
            if (e.Label >= 0) counts[e.Label]++;
        return counts;
    }

    /// <summary>How many examples each group holds (by the label name when there are no groups).</summary>
    public SortedDictionary<string, int> GroupCounts()
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < Count; i++)
        {
            var key = StratumOf(i);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        return counts;
    }

    /// <summary>The stratum of example <paramref name="index"/>: its group, else its label name ("(unlabelled)" for none).</summary>
    public string StratumOf(int index) =>
        Groups?[index] ?? (Examples[index].Label >= 0 ? LabelNames[Examples[index].Label] : "(unlabelled)");

    /// <summary>The examples at <paramref name="indices"/>, in that order, as a new dataset with the same label names.</summary>
    public TextDataset Select(IReadOnlyList<int> indices, string? name = null) =>
        new(name ?? Name, LabelNames, indices.Select(i => Examples[i]).ToArray(), Groups is null ? null : indices.Select(i => Groups[i]).ToArray());

    /// <summary>The first <paramref name="count"/> examples of a seeded stratified sample (quick trials); the whole set when count ≥ Count.</summary>
    public TextDataset Take(int count, ulong seed)
    {
        if (count >= Count) return this;
        var (_, kept) = TextSplit.Split(this, (double)count / Count, seed);
        return kept.Select(Enumerable.Range(0, kept.Count).ToArray(), $"{Name}[:{count}]");
    }

    public override string ToString() => $"{Name} ({Count:N0} texts, labels {string.Join("/", LabelNames)})";
}
