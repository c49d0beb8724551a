using Feynman.Tensors;

namespace Feynman.Text;

/// <summary>Seeded, stratified train/test splits of a <see cref="TextDataset"/>.</summary>
public static class TextSplit
{
    /// <summary>
    /// Splits <paramref name="dataset"/> into a training part and a held-out part of about
    /// Count × <paramref name="heldOutFraction"/> examples. Each stratum (the example's group when the dataset
    /// has groups, e.g. SpamAssassin's hard ham, else its label) gives round(size × fraction) examples, at least
    /// one when it has two or more and the fraction is positive, so a small group such as hard ham is present on
    /// both sides. The same seed gives the same split; both parts keep the dataset's order.
    /// </summary>
    public static (TextDataset Train, TextDataset HeldOut) Split(TextDataset dataset, double heldOutFraction, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (!(heldOutFraction >= 0 && heldOutFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(heldOutFraction), $"held-out fraction {heldOutFraction} must be in [0, 1).");
        var strata = new SortedDictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < dataset.Count; i++)
        {
            var key = dataset.StratumOf(i);
            if (!strata.TryGetValue(key, out var list)) strata[key] = list = [];
            list.Add(i);
        }
        var rng = new Generator(seed);
        var heldOut = new bool[dataset.Count];
        foreach (var members in strata.Values)
        {
            var order = members.ToArray();
            rng.Shuffle(order.AsSpan());
            int take = (int)Math.Round(order.Length * heldOutFraction);
            if (take == 0 && heldOutFraction > 0 && order.Length >= 2) take = 1;
            for (int i = 0; i < take; i++) heldOut[order[i]] = true;
        }
        var train = new List<int>(dataset.Count);
        var test = new List<int>();
        for (int i = 0; i < dataset.Count; i++) (heldOut[i] ? test : train).Add(i);
        return (dataset.Select(train, $"{dataset.Name}[train]"), dataset.Select(test, $"{dataset.Name}[held out]"));
    }
}
