namespace Feynman.Paradigms.ActiveLearning;

/// <summary>
/// Diversity-aware batches: k-center greedy (<see cref="KCenterGreedy"/>) on the student's penultimate-layer
/// embeddings of the labelled samples and the candidates.
/// </summary>
public sealed class CoreSetStrategy : IQueryStrategy
{
    public string Name => "coreset";

    public int[] Select(QueryContext context, int count)
    {
        // Rows: labelled samples first (the centers), then the candidates.
        var rows = context.Labelled.Concat(context.Candidates).ToArray();
        var embeddings = ModelOutputs.Embeddings(context.Model, context.Pool, rows, out int width, context.BatchSize);
        var centers = Enumerable.Range(0, context.Labelled.Length).ToArray();
        var picked = KCenterGreedy.Select(embeddings, width, centers, count);
        for (int i = 0; i < picked.Length; i++) picked[i] = rows[picked[i]];
        return picked;
    }
}
