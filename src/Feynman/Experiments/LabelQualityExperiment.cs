using Feynman.Data;
using Feynman.Paradigms;
using Feynman.Paradigms.LabelQuality;
using Feynman.Tensors;
using Feynman.Tracking;
using Feynman.Training;
using Feynman.Training.Recipes;

namespace Feynman.Experiments;

/// <summary>
/// Paradigm "label-quality": flip the recipe's share of training labels, find suspected errors by confident
/// learning, and train the model on noisy labels, on the noisy set with the flagged samples removed, and on
/// the true labels; notes give the estimated noise rate and the flags' precision and recall.
/// </summary>
public sealed class LabelQualityExperiment(ExperimentSettings settings)
{
    /// <summary>Runs the recipe; true when interrupted.</summary>
    public bool Run(Recipe recipe, ulong seed, IDataset train, IDataset test, ExperimentResult result, Run? run, CancellationToken ct)
    {
        var spec = recipe.Section<LabelQualitySpec>(LabelQualitySpec.SectionKey)
                   ?? throw new InvalidDataException($"{recipe.File}: a label-quality recipe needs a '{LabelQualitySpec.SectionKey}' section.");
        var section = recipe.Model ?? recipe.Student ?? throw new InvalidDataException($"{recipe.File}: a label-quality recipe needs a 'model' section.");
        var training = RecipeTraining.Options(section.Training, seed, settings.Epochs);
        var check = LabelCheck.Run(section.Model, training, train, spec.Folds, spec.NoiseSeed, spec.Noise, settings.Log, settings.Progress, ct);
        var report = check.Report;
        var all = Enumerable.Range(0, train.Count).ToArray();
        var truth = all.Select(train.GetLabel).ToArray();
        var noisyLabels = spec.Noise > 0 ? LabelNoise.FlipClassConditional(truth, train.ClassNames.Count, spec.Noise, spec.NoiseSeed) : truth;
        var flagged = report.Issues.Select(i => i.Index).ToHashSet();
        var kept = all.Where(i => !flagged.Contains(i)).ToArray();

        result.Notes.Add($"Confident learning estimates {report.EstimatedNoiseRate:P1} of the training labels are wrong and flags {report.Issues.Count:N0} of {train.Count:N0} samples" +
                         (check.Flipped is int f ? $"; {f:N0} were flipped ({spec.Noise:P0}): precision {check.Precision:P1}, recall {check.Recall:P1}." : "."));
        run?.LogMetric("estimated_noise_rate", report.EstimatedNoiseRate);
        if (check.Precision is double p) run?.LogMetric("issue_precision", p);
        if (check.Recall is double r) run?.LogMetric("issue_recall", r);

        var students = new List<(string Name, IDataset Data)>
        {
            (section.Name + "-noisy", new Relabelled(train, all, noisyLabels, $"{train.Name} (noisy)")),
            (section.Name + "-cleaned", new Relabelled(train, kept, [.. kept.Select(i => noisyLabels[i])], $"{train.Name} (cleaned)")),
        };
        if (spec.Noise > 0) students.Add((section.Name + "-true", train));
        foreach (var (name, data) in students)
        {
            var rng = new Generator(seed * 7919 + 1);
            var model = ModelBuilder.Build(section.Model, rng);
            settings.Log?.Invoke($"{name}: training on {data.Count:N0} samples");
            var trained = new Trainer(training).Fit(name, model, new SupervisedLesson(), data, null, rng, settings.Progress, run, ct);
            if (trained.Interrupted) return true;
            var eval = Evaluator.Evaluate(model, test);
            result.Models.Add(new ModelOutcome
            {
                Name = name, Role = "student", TestAccuracy = eval.Accuracy, TestLoss = eval.Loss, ExpectedCalibrationError = eval.ExpectedCalibrationError,
                Parameters = model.ParameterCount, TrainingSeconds = trained.TrainingSeconds, SamplesPerSecond = trained.SamplesPerSecond,
                History = trained.History, Confusion = eval.Confusion.ToRows(), Reliability = eval.Reliability,
            });
            run?.LogMetric(MetricKeys.TestAccuracy, eval.Accuracy, name);
            settings.Log?.Invoke($"{name}: test accuracy {eval.Accuracy:P2}");
        }
        var acc = result.Models.ToDictionary(m => m.Name, m => m.TestAccuracy);
        if (acc.TryGetValue(section.Name + "-true", out var t))
            result.Notes.Add($"Test accuracy: {acc[section.Name + "-noisy"]:P2} on noisy labels, {acc[section.Name + "-cleaned"]:P2} after removing the flagged samples, {t:P2} on true labels.");
        return false;
    }
}
