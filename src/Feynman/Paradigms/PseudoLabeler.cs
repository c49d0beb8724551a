namespace Feynman.Paradigms;

/// <summary>Chooses which of a teacher's predictions on an unlabelled pool become pseudo-labels.</summary>
public static class PseudoLabeler
{
    /// <summary>
    /// The pool samples whose top probability is at least <paramref name="threshold"/>, labelled with that
    /// class. With <paramref name="balance"/>, every class keeps the same number of samples (Noisy Student's
    /// balancing, without its duplication): its most confident ones, as many as the class with fewest
    /// confident samples has, or <paramref name="maxPerClass"/> when that is given and smaller.
    /// Without balance, <paramref name="maxPerClass"/> (when positive) caps each class alone. The result is
    /// in pool order.
    /// </summary>
    public static (int[] Indices, int[] Labels) Select(ReadOnlySpan<float> probabilities, int classes, float threshold, bool balance, int maxPerClass = 0)
    {
        if (classes <= 0 || probabilities.Length % classes != 0)
            throw new ArgumentException($"{probabilities.Length} probabilities are not rows of {classes} classes.");
        if (threshold is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(threshold), $"confidence threshold {threshold} must be in [0, 1].");
        int n = probabilities.Length / classes;
        var perClass = new List<(int Index, float Confidence)>[classes];
        for (int c = 0; c < classes; c++) perClass[c] = [];
        for (int i = 0; i < n; i++)
        {
            var row = probabilities.Slice(i * classes, classes);
            int c = TensorPrimitives.IndexOfMax(row);
            if (row[c] >= threshold) perClass[c].Add((i, row[c]));
        }
        int cap = int.MaxValue;
        if (balance) cap = perClass.Min(l => l.Count);
        if (maxPerClass > 0) cap = Math.Min(cap, maxPerClass);
        var chosen = new List<(int Index, int Label)>();
        for (int c = 0; c < classes; c++)
            chosen.AddRange(perClass[c].OrderByDescending(x => x.Confidence).ThenBy(x => x.Index).Take(cap).Select(x => (x.Index, c)));
        chosen.Sort((a, b) => a.Index.CompareTo(b.Index));
        return ([.. chosen.Select(x => x.Index)], [.. chosen.Select(x => x.Label)]);
    }
}
