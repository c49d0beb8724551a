using Feynman.Tracking;

namespace Feynman.Web;

/// <summary>
/// Label counts of an annotation run: labels held (retracted ones apart), per class, per annotator, and agreement
/// between annotators on the items two or more of them labelled (each person's latest label of an item counts).
/// </summary>
public sealed record AnnotationStatistics(
    int Labels, int Retracted, int Items, int[] PerClass, IReadOnlyList<AnnotatorCount> PerAnnotator,
    int SharedItems, int AgreedItems, IReadOnlyList<PairAgreement> Pairs)
{
    /// <summary>Counts <paramref name="labels"/> (every stored label, retracted ones included) over <paramref name="classes"/> classes.</summary>
    public static AnnotationStatistics Compute(IReadOnlyList<StoredLabel> labels, int classes)
    {
        var active = labels.Where(l => !l.IsRetracted).ToList();
        var perClass = new int[classes];
        foreach (var l in active)
            if ((uint)l.Label < (uint)classes) perClass[l.Label]++;
        var perAnnotator = labels.GroupBy(l => l.Annotator).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new AnnotatorCount(g.Key, g.Count(l => !l.IsRetracted), g.Count(l => l.IsRetracted))).ToList();

        // item -> annotator -> their latest label of it
        var latest = new Dictionary<int, Dictionary<string, int>>();
        foreach (var l in active.OrderBy(l => l.Id))
        {
            if (!latest.TryGetValue(l.Item, out var byPerson)) latest[l.Item] = byPerson = [];
            byPerson[l.Annotator] = l.Label;
        }
        var shared = latest.Values.Where(p => p.Count >= 2).ToList();
        int agreed = shared.Count(p => p.Values.Distinct().Count() == 1);

        var names = perAnnotator.Select(a => a.Name).ToArray();
        var pairs = new List<PairAgreement>();
        for (int a = 0; a < names.Length; a++)
            for (int b = a + 1; b < names.Length; b++)
            {
                var both = shared.Where(p => p.ContainsKey(names[a]) && p.ContainsKey(names[b])).Select(p => (p[names[a]], p[names[b]])).ToList();
                if (both.Count > 0) pairs.Add(Pair(names[a], names[b], both));
            }
        return new AnnotationStatistics(active.Count, labels.Count - active.Count, latest.Count, perClass, perAnnotator, shared.Count, agreed, pairs);
    }

    private static PairAgreement Pair(string first, string second, List<(int A, int B)> both)
    {
        double n = both.Count;
        double observed = both.Count(x => x.A == x.B) / n;
        // Chance agreement from each annotator's own label frequencies on these items.
        double chance = both.Select(x => x.A).Distinct().Sum(c => both.Count(x => x.A == c) / n * (both.Count(x => x.B == c) / n));
        double? kappa = chance < 1 ? (observed - chance) / (1 - chance) : null;
        return new PairAgreement(first, second, both.Count, observed, kappa);
    }
}
