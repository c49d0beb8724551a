using Feynman.Tracking;

namespace Feynman.Paradigms.ActiveLearning;

/// <summary>
/// People as the oracle: answers with the labels annotators have stored (through the annotation app) for the
/// requested items, leaving out items nobody has labelled yet. With several labels for an item the majority
/// wins (ties: the earliest label); the annotators who agreed are named.
/// </summary>
public sealed class LabelStoreOracle(LabelStore store, int classes, double costPerLabel = 1.0) : IOracle
{
    public string Name => $"annotators ({store.Path})";

    public ValueTask<IReadOnlyList<OracleLabel>> RequestLabelsAsync(IReadOnlyList<int> items, CancellationToken cancellationToken = default)
    {
        var answers = new List<OracleLabel>();
        foreach (int item in items)
        {
            var labels = store.Labels(item).Where(l => l.Label < classes).ToList();
            if (labels.Count == 0) continue;
            var winner = labels.GroupBy(l => l.Label).OrderByDescending(g => g.Count()).ThenBy(g => g.Min(l => l.Id)).First();
            answers.Add(new OracleLabel(item, winner.Key, costPerLabel * labels.Count, string.Join("+", winner.Select(l => l.Annotator).Distinct())));
        }
        return ValueTask.FromResult<IReadOnlyList<OracleLabel>>(answers);
    }
}
