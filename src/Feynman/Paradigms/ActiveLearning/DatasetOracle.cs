using Feynman.Data;

namespace Feynman.Paradigms.ActiveLearning;

/// <summary>Simulation: answers every request with the dataset's own label at a fixed cost per label.</summary>
public sealed class DatasetOracle(IDataset dataset, double costPerLabel = 1.0) : IOracle
{
    public string Name => $"labels of {dataset.Name}";

    public double CostPerLabel { get; } = costPerLabel >= 0 ? costPerLabel
        : throw new ArgumentOutOfRangeException(nameof(costPerLabel), $"a label cannot cost {costPerLabel}; give zero or more.");

    public ValueTask<IReadOnlyList<OracleLabel>> RequestLabelsAsync(IReadOnlyList<int> items, CancellationToken cancellationToken = default)
    {
        var labels = new OracleLabel[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            int item = items[i];
            if ((uint)item >= (uint)dataset.Count) throw new ArgumentOutOfRangeException(nameof(items), $"item {item} is outside {dataset.Name} (0..{dataset.Count - 1}).");
            int label = dataset.GetLabel(item);
            if (label < 0) throw new InvalidOperationException($"{dataset.Name}: item {item} has no label, so the dataset cannot act as the oracle for it.");
            labels[i] = new OracleLabel(item, label, CostPerLabel, "dataset");
        }
        return ValueTask.FromResult<IReadOnlyList<OracleLabel>>(labels);
    }
}
