using Feynman.Data;
using Feynman.Paradigms.LabelQuality;
using Feynman.Training;
using Feynman.Training.Recipes;

namespace Feynman.Experiments;

/// <summary>
/// <c>feynman labels check</c>: out-of-fold probabilities from k models of the given architecture, then
/// confident learning. With <c>noise</c> &gt; 0 the labels are first flipped (class-conditional, seeded) so the
/// flags can be scored against the known flips.
/// </summary>
public static class LabelCheck
{
    public static LabelCheckResult Run(ModelSpec model, TrainingOptions training, IDataset data, int folds, ulong seed, double noise = 0,
                                       Action<string>? log = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        int classes = data.ClassNames.Count;
        var given = new int[data.Count];
        for (int i = 0; i < given.Length; i++)
        {
            given[i] = data.GetLabel(i);
            if (given[i] < 0) throw new InvalidDataException($"{data.Name}: sample {i} has no label; label checks need a labelled source.");
        }
        var labels = noise > 0 ? LabelNoise.FlipClassConditional(given, classes, noise, seed) : given;
        var checkedData = noise > 0 ? new Relabelled(data, [.. Enumerable.Range(0, data.Count)], labels, $"{data.Name} ({noise:P0} flipped)") : data;
        var probs = OutOfFold.Probabilities(rng => ModelBuilder.Build(model, rng), training, checkedData, folds, seed, log, progress, cancellationToken);
        var report = ConfidentLearning.FindLabelIssues(probs, classes, labels);
        var result = new LabelCheckResult(report, data.Count, data.ClassNames);
        if (noise <= 0) return result;
        var flipped = Enumerable.Range(0, given.Length).Where(i => given[i] != labels[i]).ToHashSet();
        int hits = report.Issues.Count(i => flipped.Contains(i.Index));
        return result with
        {
            Flipped = flipped.Count,
            Precision = report.Issues.Count > 0 ? (double)hits / report.Issues.Count : 0,
            Recall = flipped.Count > 0 ? (double)hits / flipped.Count : 1,
        };
    }
}
