using Feynman.Tensors;

namespace Feynman.Data;

/// <summary>Seeded train/validation splits.</summary>
public static class DatasetSplit
{
    /// <summary>
    /// Splits <paramref name="dataset"/> into a training and a validation view holding
    /// round(Count x <paramref name="validationFraction"/>) samples. The same seed gives the same split.
    /// Stratified, every class keeps its share in the validation set (up to rounding).
    /// Both views list their indices in ascending order, so only membership depends on the seed.
    /// </summary>
    public static (Subset Train, Subset Validation) Split(IDataset dataset, double validationFraction, ulong seed, bool stratified = false)
    {
        if (!(validationFraction >= 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), $"validation fraction {validationFraction} must be in [0, 1).");
        var rng = new Generator(seed);
        int n = dataset.Count;
        var inValidation = new bool[n];
        if (!stratified)
        {
            var order = rng.Permutation(n);
            int take = (int)Math.Round(n * validationFraction);
            for (int i = 0; i < take; i++) inValidation[order[i]] = true;
        }
        else
        {
            // Group by label (-1 for unlabelled samples is a group too), then take each group's share.
            var groups = new Dictionary<int, List<int>>();
            for (int i = 0; i < n; i++)
            {
                int label = dataset.GetLabel(i);
                if (!groups.TryGetValue(label, out var list)) groups[label] = list = [];
                list.Add(i);
            }
            foreach (var label in groups.Keys.Order())
            {
                var members = groups[label].ToArray();
                rng.Shuffle(members.AsSpan());
                int take = (int)Math.Round(members.Length * validationFraction);
                for (int i = 0; i < take; i++) inValidation[members[i]] = true;
            }
        }
        var train = new List<int>(n);
        var validation = new List<int>();
        for (int i = 0; i < n; i++) (inValidation[i] ? validation : train).Add(i);
        return (new Subset(dataset, [.. train], $"{dataset.Name}[train split]"),
                new Subset(dataset, [.. validation], $"{dataset.Name}[validation split]"));
    }
}
