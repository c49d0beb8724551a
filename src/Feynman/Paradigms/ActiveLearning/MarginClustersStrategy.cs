namespace Feynman.Paradigms.ActiveLearning;

/// <summary>
/// Margin sampling with diversity (Zhdanov 2019, diverse mini-batch active learning): the
/// <see cref="Prefilter"/> × batch candidates of smallest margin, clustered by weighted k-means on the student's
/// penultimate-layer embeddings (weight 1 − margin) into as many clusters as labels wanted, and from each
/// cluster the sample nearest its center. Plain top-k margin tends to fill a batch with near-duplicates from
/// one confusable corner; this spreads the batch over the uncertain region.
/// </summary>
public sealed class MarginClustersStrategy(int prefilter = 10, int iterations = 10) : IQueryStrategy
{
    public string Name => "margin-clusters";

    /// <summary>How many times the batch size the uncertain candidates clustered are (β).</summary>
    public int Prefilter { get; } = prefilter >= 1 ? prefilter : throw new ArgumentOutOfRangeException(nameof(prefilter), $"the prefilter must be at least 1, got {prefilter}.");

    public int[] Select(QueryContext context, int count)
    {
        var probs = ModelOutputs.Probabilities(context.Model, context.Pool, context.Candidates, batchSize: context.BatchSize);
        var scores = new MarginStrategy().Scores(probs, context.Pool.ClassNames.Count);
        int take = (int)Math.Min(context.Candidates.Length, (long)Prefilter * count);
        var top = Ranking.TopK(scores, take);
        var rows = top.Select(i => context.Candidates[i]).ToArray();
        if (take <= count) return rows;
        var embeddings = ModelOutputs.Embeddings(context.Model, context.Pool, rows, out int width, context.BatchSize);
        // The margin score is −(p₁ − p₂) in [−1, 0]: weight 1 − margin is 1 + score.
        var weights = top.Select(i => 1 + scores[i]).ToArray();
        var picked = WeightedKMeans.Representatives(embeddings, width, weights, count, context.Rng, iterations);
        for (int i = 0; i < picked.Length; i++) picked[i] = rows[picked[i]];
        return picked;
    }
}
