using Feynman.Data;
using Feynman.Nn;
using Feynman.Tensors;
using Feynman.Training;

namespace Feynman.Paradigms.LabelQuality;

/// <summary>
/// Out-of-fold predicted probabilities: k models, each trained on all folds but one and asked only about
/// the samples of the fold it never saw, so no probability comes from a model that learnt that sample's label.
/// </summary>
public static class OutOfFold
{
    /// <summary>Fold of each sample: stratified by label, seeded (each class spread evenly over the folds).</summary>
    public static int[] Folds(IDataset data, int folds, ulong seed)
    {
        if (folds < 2) throw new ArgumentOutOfRangeException(nameof(folds), $"cross-validation needs at least 2 folds, got {folds}.");
        if (data.Count < folds) throw new ArgumentException($"{data.Name} has {data.Count} samples, fewer than {folds} folds.");
        var rng = new Generator(seed);
        var order = rng.Permutation(data.Count);
        var fold = new int[data.Count];
        var next = new Dictionary<int, int>();
        // Walking a random order and dealing each class round-robin stratifies and shuffles at once.
        int offset = 0;
        foreach (int i in order)
        {
            int label = data.GetLabel(i);
            int k = next.TryGetValue(label, out var v) ? v : offset++ % folds;
            fold[i] = k;
            next[label] = (k + 1) % folds;
        }
        return fold;
    }

    /// <summary>Probabilities [samples × classes] in dataset order, each from the model that did not train on it.</summary>
    public static float[] Probabilities(Func<Generator, Module> createModel, TrainingOptions training, IDataset data, int folds, ulong seed,
                                        Action<string>? log = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        int classes = data.ClassNames.Count;
        var fold = Folds(data, folds, seed);
        var probs = new float[data.Count * classes];
        for (int k = 0; k < folds; k++)
        {
            var trainIdx = Enumerable.Range(0, data.Count).Where(i => fold[i] != k).ToArray();
            var heldIdx = Enumerable.Range(0, data.Count).Where(i => fold[i] == k).ToArray();
            var rng = new Generator(seed * 7919 + (ulong)k);
            var model = createModel(rng);
            log?.Invoke($"fold {k + 1}/{folds}: training on {trainIdx.Length} samples, predicting {heldIdx.Length}");
            var result = new Trainer(training with { Seed = seed + (ulong)k, CheckpointDirectory = null, Resume = false })
                .Fit($"fold{k + 1}", model, new SupervisedLesson(), new Subset(data, trainIdx), null, rng, progress, null, cancellationToken);
            if (result.Interrupted) throw new OperationCanceledException($"cross-validation stopped in fold {k + 1} of {folds}.", cancellationToken);
            var held = Evaluator.Probabilities(model, new Subset(data, heldIdx), training.EvaluationBatchSize);
            for (int j = 0; j < heldIdx.Length; j++)
                held.AsSpan(j * classes, classes).CopyTo(probs.AsSpan(heldIdx[j] * classes, classes));
        }
        return probs;
    }
}
