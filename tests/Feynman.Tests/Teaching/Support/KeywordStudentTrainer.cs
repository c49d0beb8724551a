using Feynman.Text;

namespace Feynman.Tests.Teaching.Support;

/// <summary>A tiny deterministic student: multinomial naive Bayes over lower-cased words, trained on soft targets when
/// given (each example's words count towards every label in proportion to its probability).</summary>
public sealed class KeywordStudentTrainer : ITextStudentTrainer
{
    public List<(int Examples, int Seed)> Calls { get; } = [];

    public ITextClassifier Train(IReadOnlyList<TextExample> train, IReadOnlyList<float[]?>? softTargets, IReadOnlyList<string> labelNames, int seed,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Calls.Add((train.Count, seed));
        int k = labelNames.Count;
        var counts = new Dictionary<string, double[]>(StringComparer.Ordinal);
        var totals = new double[k];
        var priors = new double[k];
        for (int i = 0; i < train.Count; i++)
        {
            var target = softTargets?[i] ?? OneHot(train[i].Label, k);
            foreach (var w in Words(train[i].Text))
            {
                if (!counts.TryGetValue(w, out var c)) counts[w] = c = new double[k];
                for (int j = 0; j < k; j++) { c[j] += target[j]; totals[j] += target[j]; }
            }
            for (int j = 0; j < k; j++) priors[j] += target[j];
        }
        return new KeywordClassifier(labelNames, counts, totals, priors);
    }

    public static IEnumerable<string> Words(string text) =>
        text.ToLowerInvariant().Split([' ', '\n', '\t', '.', ',', '!', '?'], StringSplitOptions.RemoveEmptyEntries);

    private static float[] OneHot(int label, int k)
    {
        var p = new float[k];
        p[label] = 1;
        return p;
    }

    private sealed class KeywordClassifier(IReadOnlyList<string> names, Dictionary<string, double[]> counts, double[] totals, double[] priors) : ITextClassifier
    {
        public IReadOnlyList<string> LabelNames => names;

        public void PredictProbabilities(string text, Span<float> probabilities)
        {
            int k = names.Count;
            var score = new double[k];
            double prior = priors.Sum();
            for (int j = 0; j < k; j++) score[j] = Math.Log((priors[j] + 1) / (prior + k));
            foreach (var w in Words(text))
            {
                if (!counts.TryGetValue(w, out var c)) continue;
                for (int j = 0; j < k; j++) score[j] += Math.Log((c[j] + 1) / (totals[j] + counts.Count));
            }
            double max = score.Max(), sum = 0;
            for (int j = 0; j < k; j++) sum += score[j] = Math.Exp(score[j] - max);
            for (int j = 0; j < k; j++) probabilities[j] = (float)(score[j] / sum);
        }
    }
}
