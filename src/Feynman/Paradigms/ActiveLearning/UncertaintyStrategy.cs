namespace Feynman.Paradigms.ActiveLearning;

/// <summary>
/// Scores each candidate from the student's predicted probabilities and takes the top of the list
/// (plain top-k batch selection, as modAL does).
/// </summary>
public abstract class UncertaintyStrategy : IQueryStrategy
{
    public abstract string Name { get; }

    /// <summary>How much the student would gain from the label of a sample with these probabilities (higher: ask first).</summary>
    public abstract double Score(ReadOnlySpan<float> probabilities);

    public virtual int[] Select(QueryContext context, int count)
    {
        var probs = ModelOutputs.Probabilities(context.Model, context.Pool, context.Candidates, batchSize: context.BatchSize);
        var picked = SelectFromProbabilities(probs, context.Pool.ClassNames.Count, count);
        for (int i = 0; i < picked.Length; i++) picked[i] = context.Candidates[picked[i]];
        return picked;
    }

    /// <summary>Rows of <paramref name="probabilities"/> ([rows × classes]) to ask about, best first.</summary>
    public int[] SelectFromProbabilities(ReadOnlySpan<float> probabilities, int classes, int count) =>
        Ranking.TopK(Scores(probabilities, classes), count);

    /// <summary><see cref="Score"/> of every row.</summary>
    public double[] Scores(ReadOnlySpan<float> probabilities, int classes)
    {
        if (classes <= 0 || probabilities.Length % classes != 0)
            throw new ArgumentException($"{probabilities.Length} probabilities are not rows of {classes} classes.");
        var scores = new double[probabilities.Length / classes];
        for (int i = 0; i < scores.Length; i++) scores[i] = Score(probabilities.Slice(i * classes, classes));
        return scores;
    }
}
