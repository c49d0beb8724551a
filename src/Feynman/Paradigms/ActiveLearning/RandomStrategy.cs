namespace Feynman.Paradigms.ActiveLearning;

/// <summary>Uniform sampling without replacement: the baseline every other strategy has to beat.</summary>
public sealed class RandomStrategy : IQueryStrategy
{
    public string Name => "random";

    public int[] Select(QueryContext context, int count)
    {
        var order = context.Rng.Permutation(context.Candidates.Length);
        int n = Math.Min(count, order.Length);
        var picked = new int[n];
        for (int i = 0; i < n; i++) picked[i] = context.Candidates[order[i]];
        return picked;
    }
}
