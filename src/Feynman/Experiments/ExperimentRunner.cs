using Feynman.Data;
using Feynman.Nn;
using Feynman.Paradigms;
using Feynman.Serialization;
using Feynman.Tensors;
using Feynman.Tracking;
using Feynman.Tracking.Reports;
using Feynman.Training;
using Feynman.Training.Recipes;

namespace Feynman.Experiments;

/// <summary>
/// Runs a recipe end to end: data, every model of the recipe trained with its lesson, evaluation on the
/// test set, the run recorded in the database, results.json and report.html in the output folder.
/// Paradigms: "supervised" (the recipe's model from labels) and "distillation" (teachers from labels,
/// then the student from labels alone and from the teachers).
/// </summary>
public sealed class ExperimentRunner(ExperimentSettings settings)
{
    static ExperimentRunner() => ParadigmRecipes.Register();

    public ExperimentSettings Settings { get; } = settings;

    internal void Log(string message) => Settings.Log?.Invoke(message);

    /// <summary>Every paradigm <see cref="Run"/> knows.</summary>
    public static IReadOnlyList<string> KnownParadigms { get; } =
    [
        "supervised", "distillation", ParadigmRecipes.WeakToStrong, ParadigmRecipes.SelfTraining, ParadigmRecipes.Mpl, ParadigmRecipes.Pretrain,
        Paradigms.ActiveLearning.ActiveLearningSpec.ParadigmName, Paradigms.LabelQuality.LabelQualitySpec.ParadigmName,
        Text.Distillation.TextDistillationSpec.ParadigmName,
    ];

    public ExperimentResult Run(Recipe recipe, CancellationToken cancellationToken = default)
    {
        ulong seed = Settings.Seed ?? recipe.Seed;
        var outDir = Path.GetFullPath(Settings.OutputDirectory);
        Directory.CreateDirectory(outDir);

        // Text recipes open their own data (a text corpus, not an image source).
        bool text = recipe.Paradigm == Text.Distillation.TextDistillationSpec.ParadigmName;
        var (train, validation, test) = text ? (null!, null, null!) : OpenData(recipe, seed);
        using var store = Settings.DatabasePath is { } db ? RunStore.Open(db) : null;
        var commit = RunStore.GitCommit();
        using var run = store?.StartRun(recipe.Name, recipe.Source, recipe.ToResolvedJson(), seed, commit);
        var result = new ExperimentResult
        {
            Recipe = recipe.Name, Paradigm = recipe.Paradigm, Seed = seed, RunId = run?.Id, GitCommit = commit,
            StartedAt = DateTimeOffset.UtcNow, ClassNames = text ? [] : train.ClassNames.ToArray(),
        };
        bool interrupted = false;
        try
        {
            switch (recipe.Paradigm)
            {
                case "supervised":
                    var section = recipe.Model ?? recipe.Student ?? throw new InvalidDataException($"{recipe.File}: a supervised recipe needs a 'model' section.");
                    interrupted = !TrainAndMeasure(section, "model", 0, new SupervisedLesson((float)section.Training.LabelSmoothing), seed, train, validation, test, result, run, cancellationToken, out _);
                    break;
                case "distillation":
                    interrupted = RunDistillation(recipe, seed, train, validation, test, result, run, cancellationToken);
                    break;
                case ParadigmRecipes.WeakToStrong or ParadigmRecipes.SelfTraining or ParadigmRecipes.Mpl or ParadigmRecipes.Pretrain:
                    interrupted = new ParadigmExperiment(this, recipe, seed, train, validation, test, result, run, cancellationToken).Run();
                    break;
                case Paradigms.ActiveLearning.ActiveLearningSpec.ParadigmName:
                    interrupted = new ActiveLearningExperiment(Settings).Run(recipe, train, test, result, run, cancellationToken);
                    break;
                case Paradigms.LabelQuality.LabelQualitySpec.ParadigmName:
                    interrupted = new LabelQualityExperiment(Settings).Run(recipe, seed, train, test, result, run, cancellationToken);
                    break;
                case Text.Distillation.TextDistillationSpec.ParadigmName:
                    (interrupted, var labelNames) = new TextDistillationExperiment(Settings).Run(recipe, seed, result, run, cancellationToken);
                    result = result with { ClassNames = [.. labelNames] };
                    break;
                default:
                    throw new NotSupportedException($"{recipe.File}: paradigm '{recipe.Paradigm}' is not run by this command (known: {string.Join(", ", KnownParadigms)}).");
            }
            result = result with { Interrupted = interrupted };
            WriteOutputs(result, outDir, run);
            run?.Finish(interrupted ? RunStatus.Interrupted : RunStatus.Finished);
        }
        catch (Exception ex)
        {
            run?.Finish(RunStatus.Failed, ex.Message);
            throw;
        }
        return result;
    }

    private bool RunDistillation(Recipe recipe, ulong seed, IDataset train, IDataset? validation, IDataset test,
                                 ExperimentResult result, Run? run, CancellationToken ct)
    {
        var kd = recipe.Distillation ?? new DistillationSpec();
        var student = recipe.Student ?? throw new InvalidDataException($"{recipe.File}: a distillation recipe needs a 'student' section.");
        if (recipe.Teachers.Count == 0) throw new InvalidDataException($"{recipe.File}: a distillation recipe needs at least one teacher.");
        int classes = train.ClassNames.Count;

        var teachers = new List<ITeacher>();
        for (int i = 0; i < recipe.Teachers.Count; i++)
        {
            var section = recipe.Teachers[i];
            if (!TrainAndMeasure(section, "teacher", 1 + i, new SupervisedLesson((float)section.Training.LabelSmoothing), seed, train, validation, test, result, run, ct, out var model))
                return true;
            teachers.Add(new ModelTeacher(section.Name, model, classes));
        }
        ITeacher teacher = teachers.Count == 1 ? teachers[0] : new EnsembleTeacher(string.Join("+", teachers.Select(t => t.Name)), teachers);
        float temperature = (float)kd.Temperature;
        // Teacher outputs depend only on the input; when the student sees no augmentation every epoch shows the same inputs.
        bool augmented = AugmentationOf(student.Training).Any;
        if (!augmented)
        {
            Log($"caching the soft targets of {teacher.Name} at T={temperature}");
            teacher = CachedTeacher.Build(teacher, train, temperature);
        }

        if (kd.Baseline)
        {
            var baseline = student with { Name = student.Name + "-labels" };
            if (!TrainAndMeasure(baseline, "student (labels)", 100, new SupervisedLesson((float)student.Training.LabelSmoothing), seed, train, validation, test, result, run, ct, out _))
                return true;
        }
        var distilled = student with { Name = student.Name + "-distilled" };
        if (!TrainAndMeasure(distilled, "student (distilled)", 100, new DistillationLesson(teacher, temperature, (float)kd.Alpha), seed, train, validation, test, result, run, ct, out _))
            return true;

        var t = result.Models.Where(m => m.Role == "teacher").ToList();
        var s = result.ByRole("student (labels)");
        var d = result.ByRole("student (distilled)");
        if (t.Count > 0 && s != null && d != null)
        {
            double teacherAcc = t.Max(m => m.TestAccuracy);
            double gap = teacherAcc - s.TestAccuracy;
            double closed = gap > 0 ? (d.TestAccuracy - s.TestAccuracy) / gap : double.NaN;
            result.Notes.Add($"Distillation took the student from {s.TestAccuracy:P2} (labels alone) to {d.TestAccuracy:P2}; the teacher has {teacherAcc:P2}: " +
                             (double.IsNaN(closed) ? "the teacher is not better than the student from labels, so there is no gap to close." : $"{closed:P0} of the gap closed."));
            if (d.MicrosecondsPerSample > 0)
                result.Notes.Add($"The student has {(double)t.Sum(m => m.Parameters) / d.Parameters:F1}x fewer parameters than the teacher{(t.Count > 1 ? "s" : "")} and answers one sample in {d.MicrosecondsPerSample:F1} µs ({t.Max(m => m.MicrosecondsPerSample) / d.MicrosecondsPerSample:F1}x faster).");
            if (!double.IsNaN(closed))
            {
                run?.LogMetric("gap_closed", closed);
                result.Metrics["gap_closed"] = closed;
            }
        }
        return false;
    }

    /// <summary>Trains (or loads) one model, evaluates it and adds its outcome; false when interrupted.</summary>
    internal bool TrainAndMeasure(ModelSection section, string role, int initStream, ILesson lesson, ulong seed,
                                 IDataset train, IDataset? validation, IDataset test, ExperimentResult result, Run? run,
                                 CancellationToken ct, out Module model, Action<Sequential>? init = null)
    {
        var outDir = Path.GetFullPath(Settings.OutputDirectory);
        // Same seed and stream for the labels-only and the distilled student: both start from the same weights.
        var rng = new Generator(seed * 7919 + (ulong)initStream);
        var net = ModelBuilder.Build(section.Model, rng);
        init?.Invoke(net); // e.g. a pre-trained trunk, frozen or not
        model = net;
        var weightsPath = Path.Combine(outDir, section.Name + ".safetensors");
        TrainingResult? trained = null;
        if (section.Weights is { } given)
        {
            Log($"{role} {section.Name}: loading weights {given}");
            net.Load(given);
        }
        else
        {
            Log($"{role} {section.Name}: training with {lesson.Name} ({section.Model.ParameterCount:N0} parameters)");
            var options = Options(section.Training, seed, Path.Combine(outDir, "checkpoints", section.Name));
            trained = new Trainer(options).Fit(section.Name, net, lesson, train, validation, rng, Settings.Progress, run, ct);
            if (trained.Interrupted)
            {
                Log($"{role} {section.Name}: interrupted; the checkpoint is in {options.CheckpointDirectory} (continue with --resume)");
                return false;
            }
            net.Save(weightsPath);
            run?.AddArtifact("weights", weightsPath);
        }
        var eval = Evaluator.Evaluate(net, test);
        double micros = InferenceTimer.MedianMicroseconds(net, test);
        var outcome = new ModelOutcome
        {
            Name = section.Name, Role = role, TestAccuracy = eval.Accuracy, TestLoss = eval.Loss,
            ExpectedCalibrationError = eval.ExpectedCalibrationError, Parameters = net.ParameterCount,
            MicrosecondsPerSample = micros, TrainingSeconds = trained?.TrainingSeconds ?? 0, SamplesPerSecond = trained?.SamplesPerSecond ?? 0,
            Weights = section.Weights ?? weightsPath, History = trained?.History ?? [],
            Confusion = eval.Confusion.ToRows(), Reliability = eval.Reliability,
        };
        result.Models.Add(outcome);
        Log($"{role} {section.Name}: test accuracy {eval.Accuracy:P2}, {micros:F1} µs/sample");
        if (eval.Confusion.SinglePredictedClass is int only)
        {
            // A finite loss does not stop such a run, so say it where the numbers are read.
            string what = only < test.ClassNames.Count ? $"'{test.ClassNames[only]}'" : $"class {only}";
            string note = $"{section.Name} predicts {what} for every test sample: it has collapsed (for example ReLUs that died " +
                          "in the first steps at too high a learning rate); lower the learning rate, or add batch norm.";
            Log(note);
            result.Notes.Add(note);
        }
        if (run != null)
        {
            run.LogMetric(MetricKeys.TestAccuracy, eval.Accuracy, section.Name);
            run.LogMetric(MetricKeys.TestLoss, eval.Loss, section.Name);
            run.LogMetric(MetricKeys.ExpectedCalibrationError, eval.ExpectedCalibrationError, section.Name);
            run.LogMetric(MetricKeys.Parameters, net.ParameterCount, section.Name);
            run.LogMetric(MetricKeys.MicrosecondsPerSample, micros, section.Name);
            run.LogMetric(MetricKeys.TrainSeconds, outcome.TrainingSeconds, section.Name);
            if (trained != null) run.LogMetric(MetricKeys.SamplesPerSecond, trained.SamplesPerSecond, section.Name);
        }
        return true;
    }

    internal TrainingOptions Options(TrainingSpec t, ulong seed, string checkpoints)
    {
        var aug = AugmentationOf(t);
        return new TrainingOptions
        {
            Epochs = Settings.Epochs ?? t.Epochs,
            BatchSize = t.BatchSize,
            Optimizer = t.Optimizer.Name,
            LearningRate = t.Optimizer.LearningRate,
            Momentum = t.Optimizer.Momentum,
            Nesterov = t.Optimizer.Nesterov,
            WeightDecay = t.Optimizer.WeightDecay,
            Beta1 = t.Optimizer.Beta1,
            Beta2 = t.Optimizer.Beta2,
            Eps = t.Optimizer.Eps,
            Schedule = t.Schedule,
            WarmupEpochs = t.WarmupEpochs,
            ClipGradNorm = t.ClipGradNorm ?? 0,
            CropPadding = aug.CropPadding,
            HorizontalFlip = aug.HorizontalFlip,
            EarlyStoppingPatience = t.EarlyStopping?.Patience ?? 0,
            EarlyStoppingMetric = t.EarlyStopping?.Metric ?? "val_loss",
            EarlyStoppingMinDelta = t.EarlyStopping?.MinDelta ?? 0,
            Seed = seed,
            CheckpointDirectory = checkpoints,
            Resume = Settings.Resume,
        };
    }

    // The recipe's training-set augmentation, applied to every model whose training section does not set its own.
    private AugmentSpec? augment;

    internal AugmentSpec AugmentationOf(TrainingSpec t) => t.Augment ?? augment ?? AugmentSpec.None;

    private (IDataset Train, IDataset? Validation, IDataset Test) OpenData(Recipe recipe, ulong seed)
    {
        augment = recipe.Data.Augment;
        IDataset full = DataSources.Open(recipe.Data.Train, Settings.DataDirectory);
        IDataset test = DataSources.Open(recipe.Data.Test, Settings.DataDirectory);
        if (recipe.Data.TrainSize is int size)
        {
            if (size > full.Count) throw new InvalidDataException($"{recipe.File}: data.train_size {size} is larger than {recipe.Data.Train} ({full.Count} samples).");
            full = new Subset(full, Enumerable.Range(0, size).ToArray(), $"{full.Name}[:{size}]");
        }
        if (Settings.TrainLimit is int limit && limit < full.Count)
            full = new Subset(full, new Generator(seed).Permutation(full.Count)[..limit], $"{full.Name}[:{limit}]");
        if (recipe.Data.Validation <= 0) return (full, null, test);
        var (train, validation) = DatasetSplit.Split(full, recipe.Data.Validation, seed, recipe.Data.Stratified);
        return (train, validation, test);
    }

    private void WriteOutputs(ExperimentResult result, string outDir, Run? run) => WriteOutputs(result, outDir, run, Settings.Log);

    /// <summary>results.json and report.html into <paramref name="outDir"/>, both recorded with the run (every paradigm's last step).</summary>
    internal static void WriteOutputs(ExperimentResult result, string outDir, Run? run, Action<string>? log)
    {
        var resultsPath = Path.Combine(outDir, "results.json");
        result.Save(resultsPath);
        var reportPath = Path.Combine(outDir, "report.html");
        var report = ExperimentReport.Build(result);
        HtmlReport.Write(report, reportPath);
        run?.SaveDocument(ReportJson.DocumentName, ReportJson.Serialize(report));
        run?.AddArtifact("results", resultsPath);
        run?.AddArtifact("report", reportPath);
        log?.Invoke($"results: {resultsPath}");
        log?.Invoke($"report: {reportPath}");
    }
}
