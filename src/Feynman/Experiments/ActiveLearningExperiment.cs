using System.Text.Json;
using Feynman.Data;
using Feynman.Paradigms.ActiveLearning;
using Feynman.Tensors;
using Feynman.Tracking;
using Feynman.Training;
using Feynman.Training.Recipes;

namespace Feynman.Experiments;

/// <summary>
/// Paradigm "active-learning": every strategy of the recipe with every seed, the dataset's labels as the
/// oracle; the curves go to active-learning.json and the run database, the mean curve of each strategy to the
/// report, and a note says how many labels each strategy needs to match random sampling at its last round.
/// </summary>
public sealed class ActiveLearningExperiment(ExperimentSettings settings)
{
    public const string CurvesFile = "active-learning.json";

    /// <summary>Runs the recipe; true when interrupted.</summary>
    public bool Run(Recipe recipe, IDataset pool, IDataset test, ExperimentResult result, Run? run, CancellationToken ct)
    {
        var spec = recipe.Section<ActiveLearningSpec>(ActiveLearningSpec.SectionKey)
                   ?? throw new InvalidDataException($"{recipe.File}: an active-learning recipe needs an '{ActiveLearningSpec.SectionKey}' section.");
        var section = recipe.Student ?? recipe.Model ?? throw new InvalidDataException($"{recipe.File}: an active-learning recipe needs a 'student' section.");
        var training = StudentTraining(recipe, section, settings.Epochs);
        var seeds = settings.Seed is { } only ? [only] : spec.Seeds;
        var oracle = new DatasetOracle(pool, spec.LabelCost);
        var jobs = spec.Strategies.SelectMany(strategy => seeds.Select(seed => (Strategy: strategy, Seed: seed))).ToArray();
        // Callbacks (console, progress, run database) are not thread-safe; parallel runs take turns.
        var gate = new Lock();
        var log = settings.Log is { } l ? (Action<string>)(m => { lock (gate) l(m); }) : null;
        var progress = settings.Progress is { } pr ? new LockedProgress(pr, gate) : null;
        ActiveLearningCurve RunOne(int index)
        {
            var (strategyName, seed) = jobs[index];
            var loop = new ActiveLearningLoop(rng => ModelBuilder.Build(section.Model, rng), training, spec.ToOptions())
            {
                Log = log,
                Progress = progress,
                RoundFinished = p => { lock (gate) run?.LogEpoch($"{strategyName}/seed{seed}", p.Labels, MetricKeys.TestAccuracy, p.TestAccuracy); },
            };
            return loop.Run(QueryStrategies.Create(strategyName, spec.MonteCarloPasses), pool, test, oracle, seed, ct);
        }
        var finished = RunJobs(jobs.Length, spec.Parallel, RunOne);
        // In job order, as a sequential run lists them; nothing after an interrupted run in that order.
        var curves = new List<ActiveLearningCurve>();
        bool interrupted = false;
        foreach (var curve in finished)
        {
            if (curve is null) { interrupted = true; break; }
            curves.Add(curve);
            if (curve.Interrupted) { interrupted = true; break; }
        }

        var means = curves.GroupBy(c => c.Strategy).Where(g => g.Any(c => c.Points.Count > 0))
            .Select(g => LabelEfficiency.Mean([.. g.Where(c => c.Points.Count > 0)])).ToList();
        var random = means.FirstOrDefault(m => m.Strategy == "random");
        var toMatch = new Dictionary<string, int?>();
        foreach (var mean in means)
        {
            var last = mean.Points[^1];
            int? labels = random is null ? null : LabelEfficiency.LabelsToMatch(mean, random);
            toMatch[mean.Strategy] = labels;
            result.Models.Add(new ModelOutcome
            {
                Name = mean.Strategy, Role = $"active learning, {last.Labels} labels",
                TestAccuracy = last.TestAccuracy, Parameters = section.Model.ParameterCount,
                // The curve as a history whose "epoch" is the label count and whose validation accuracy is the test accuracy.
                History = [.. mean.Points.Select(p => new EpochRecord(p.Labels, double.NaN, double.NaN, double.NaN, p.TestAccuracy, 0, 0))],
            });
            run?.LogMetric(MetricKeys.TestAccuracy, last.TestAccuracy, mean.Strategy);
            if (labels is int n) run?.LogMetric("labels_to_match_random", n, mean.Strategy);
        }
        if (random is not null)
        {
            var target = random.Points[^1];
            result.Notes.Add($"Random sampling reaches {target.TestAccuracy:P2} with {target.Labels:N0} labels (mean of {seeds.Count} seed{(seeds.Count > 1 ? "s" : "")}). " +
                             "Labels each strategy needs to match it: " +
                             string.Join("; ", toMatch.Where(p => p.Key != "random").Select(p => $"{p.Key} {(p.Value is int n ? n.ToString("N0") : "never within the budget")}")) + ".");
        }
        result.Notes.Add("Learning curves: the x axis is the number of labels, the dashed line the test accuracy (mean over seeds).");

        var outDir = Path.GetFullPath(settings.OutputDirectory);
        var path = Path.Combine(outDir, CurvesFile);
        File.WriteAllText(path, JsonSerializer.Serialize(new { curves, means, labels_to_match_random = toMatch }, ExperimentResult.Json));
        run?.AddArtifact("active-learning", path);
        return interrupted;
    }

    /// <summary>
    /// Each round's training options: the student's training section, with the student's augmentation or else the
    /// data section's (applied to the labelled batches only; strategies score un-augmented samples).
    /// </summary>
    internal static TrainingOptions StudentTraining(Recipe recipe, ModelSection student, int? epochs)
    {
        var augment = student.Training.Augment ?? recipe.Data.Augment ?? AugmentSpec.None;
        return RecipeTraining.Options(student.Training, recipe.Seed, epochs) with
        {
            CropPadding = augment.CropPadding, HorizontalFlip = augment.HorizontalFlip,
        };
    }

    /// <summary>
    /// Runs jobs 0..count-1 on <paramref name="parallel"/> threads (1: on this thread, in order) and returns their
    /// results by index; after a job is interrupted no new one starts, and the ones not run stay null.
    /// With several threads each sets its kernels to run inline: two runs then use the two cores, instead of
    /// one run's GEMMs taking both kernel threads while the other's wait or oversubscribe.
    /// </summary>
    internal static ActiveLearningCurve?[] RunJobs(int count, int parallel, Func<int, ActiveLearningCurve> job)
    {
        var results = new ActiveLearningCurve?[count];
        int next = -1, stop = 0;
        Exception? failure = null;
        void Work()
        {
            while (Volatile.Read(ref stop) == 0)
            {
                int i = Interlocked.Increment(ref next);
                if (i >= count) return;
                try
                {
                    var curve = job(i);
                    results[i] = curve;
                    if (curve.Interrupted) Volatile.Write(ref stop, 1);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                    Volatile.Write(ref stop, 1);
                }
            }
        }
        int threads = Math.Min(parallel, count);
        if (threads <= 1) Work();
        else
        {
            var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
            {
                Tensors.Kernels.KernelThreads.Inline = true;
                Work();
            }) { IsBackground = true, Name = $"active-learning-{t + 1}" }).ToArray();
            foreach (var w in workers) w.Start();
            foreach (var w in workers) w.Join();
        }
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        return results;
    }

    private sealed class LockedProgress(IProgress<TrainingProgress> inner, Lock gate) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) { lock (gate) inner.Report(value); }
    }
}
