namespace Feynman.Paradigms;

/// <summary>Chooses which of a teacher's predictions on an unlabelled pool become pseudo-labels.</summary>
public static class PseudoLabeler
{
    /// <summary>
    /// The pool samples whose top probability is at least <paramref name="threshold"/>, labelled with that
    /// class, in pool order. <paramref name="maxPerClass"/> (when positive) keeps each class's most confident
    /// samples up to that many. With <paramref name="balance"/>, every class that has confident samples gets the
    /// same number K of pseudo-labels: <paramref name="maxPerClass"/> as in Noisy Student, or when that is 0 the
    /// smallest count among those classes. A class with more keeps its K most confident; a class with fewer
    /// repeats its samples, most confident first, up to K (an index can then appear several times; Noisy Student
    /// duplicates the same way). A class with no confident sample stays without one: it does not shrink every other
    /// class to nothing.
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
        int cap = balance ? (maxPerClass > 0 ? maxPerClass : BalancedCap(perClass.Select(l => l.Count)))
                          : maxPerClass > 0 ? maxPerClass : int.MaxValue;
        var chosen = new List<(int Index, int Label)>();
        for (int c = 0; c < classes; c++)
        {
            var ranked = perClass[c].OrderByDescending(x => x.Confidence).ThenBy(x => x.Index).Select(x => x.Index).ToArray();
            int take = balance && ranked.Length > 0 ? cap : Math.Min(cap, ranked.Length);
            for (int k = 0; k < take; k++) chosen.Add((ranked[k % ranked.Length], c));
        }
        chosen.Sort((a, b) => a.Index.CompareTo(b.Index));
        return ([.. chosen.Select(x => x.Index)], [.. chosen.Select(x => x.Label)]);
    }

    /// <summary>Pool samples per predicted class whose top probability is at least <paramref name="threshold"/>.</summary>
    public static int[] ConfidentCounts(ReadOnlySpan<float> probabilities, int classes, float threshold)
    {
        var counts = new int[classes];
        for (int i = 0; i + classes <= probabilities.Length; i += classes)
        {
            var row = probabilities.Slice(i, classes);
            int c = TensorPrimitives.IndexOfMax(row);
            if (row[c] >= threshold) counts[c]++;
        }
        return counts;
    }

    /// <summary>Balanced selection's K when no cap is given: the smallest non-zero class count, 0 when every count is 0.</summary>
    public static int BalancedCap(IEnumerable<int> confidentPerClass) => confidentPerClass.Where(c => c > 0).DefaultIfEmpty(0).Min();
}
