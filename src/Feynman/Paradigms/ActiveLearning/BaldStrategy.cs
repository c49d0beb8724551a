using Feynman.Nn;

namespace Feynman.Paradigms.ActiveLearning;

/// <summary>
/// Bayesian active learning by disagreement (Houlsby et al. 2011) with Monte-Carlo dropout (Gal et al.
/// 2017): T stochastic passes with dropout on; a sample scores the mutual information between its label
/// and the weights, H(mean p) − mean H(p), high where the passes are each sure but disagree.
/// </summary>
public sealed class BaldStrategy : IQueryStrategy
{
    public BaldStrategy(int passes = 10)
    {
        if (passes < 2) throw new ArgumentOutOfRangeException(nameof(passes), $"BALD needs at least 2 stochastic passes, got {passes}.");
        Passes = passes;
    }

    public int Passes { get; }

    public string Name => "bald";

    public int[] Select(QueryContext context, int count)
    {
        if (!context.Model.Modules().Any(m => m is Dropout d && d.P > 0))
            throw new InvalidOperationException("BALD samples the model with Monte-Carlo dropout, but the student has no dropout layer; add one (e.g. '- dropout: 0.3' before the last linear layer).");
        var passes = new List<float[]>(Passes);
        for (int t = 0; t < Passes; t++)
            passes.Add(ModelOutputs.Probabilities(context.Model, context.Pool, context.Candidates, monteCarloDropout: true, batchSize: context.BatchSize));
        var picked = Ranking.TopK(MutualInformation(passes, context.Pool.ClassNames.Count), count);
        for (int i = 0; i < picked.Length; i++) picked[i] = context.Candidates[picked[i]];
        return picked;
    }

    /// <summary>H(mean over passes) − mean over passes of H, for every row; each pass is [rows × classes].</summary>
    public static double[] MutualInformation(IReadOnlyList<float[]> passes, int classes)
    {
        if (passes.Count == 0) throw new ArgumentException("no stochastic passes given.", nameof(passes));
        int length = passes[0].Length;
        if (classes <= 0 || length % classes != 0) throw new ArgumentException($"{length} probabilities are not rows of {classes} classes.");
        foreach (var p in passes)
            if (p.Length != length) throw new ArgumentException($"passes differ in size ({p.Length} and {length} probabilities).");
        int rows = length / classes;
        var scores = new double[rows];
        var mean = new float[classes];
        for (int r = 0; r < rows; r++)
        {
            Array.Clear(mean);
            double meanEntropy = 0;
            foreach (var p in passes)
            {
                var row = p.AsSpan(r * classes, classes);
                TensorPrimitives.Add(mean, row, mean);
                meanEntropy += EntropyStrategy.Entropy(row);
            }
            TensorPrimitives.Multiply(mean, 1f / passes.Count, mean);
            // Never negative in exact arithmetic (Jensen); clamp the rounding.
            scores[r] = Math.Max(0, EntropyStrategy.Entropy(mean) - meanEntropy / passes.Count);
        }
        return scores;
    }
}
