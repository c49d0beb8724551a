using System.Diagnostics;
using System.Globalization;
using Feynman.Nn;
using Feynman.Serialization;
using Feynman.Text;
using Feynman.Text.Distillation;
using Feynman.Text.Models;
using Feynman.Tracking;
using Feynman.Training.Metrics;
using Feynman.Training.Recipes;

namespace Feynman.Experiments;

/// <summary>
/// Paradigm "text-distillation" (recipes/spam-kd.yaml): text teachers (one, or an ensemble averaging their
/// probabilities) trained on labels, the student from labels alone, and the same student from the teachers'
/// soft labels. Each model gets test accuracy, precision/recall/F1 of the positive label, parameters and the
/// median µs to classify one message (tokenization included), in results.json, the run database and the report.
/// </summary>
public sealed class TextDistillationExperiment(ExperimentSettings settings)
{
    /// <summary>Runs the recipe; returns whether it was interrupted and the label names.</summary>
    public (bool Interrupted, IReadOnlyList<string> LabelNames) Run(Recipe recipe, ulong seed, ExperimentResult result, Run? run, CancellationToken ct)
    {
        var spec = recipe.Section<TextDistillationSpec>(TextDistillationSpec.SectionKey)
                   ?? throw new InvalidDataException($"{recipe.File}: a {TextDistillationSpec.ParadigmName} recipe needs a '{TextDistillationSpec.SectionKey}' section.");
        var data = spec.Data.Open(recipe.File);
        var labels = data.LabelNames;
        int positive = spec.Data.Positive is { } p ? IndexOf(labels, p, data.Name) : Math.Min(1, labels.Count - 1);
        var (train, test) = TextSplit.Split(data, spec.Data.Test, seed);
        if (settings.TrainLimit is int limit && limit < train.Count) train = train.Take(limit, seed);
        Log($"{data.Name}: {train.Count:N0} training and {test.Count:N0} test texts (test by group: {Counts(test)})");
        result.Notes.Add($"Data: {data.Name}, {train.Count:N0} training and {test.Count:N0} held-out test texts (split seeded by {seed}, stratified; test by group: {Counts(test)}). " +
                         $"F1, precision and recall are those of '{labels[positive]}'. Load average at the start: {LoadAverage()}.");
        int seedInt = (int)(seed % int.MaxValue);
        var trained = new List<Trained>();
        try
        {
            foreach (var teacherSpec in spec.Teachers)
                trained.Add(Train(teacherSpec, teacherSpec.Name, "teacher", train, null, teacherSpec.Training, test, positive, seedInt, run, ct));
            var teachers = trained.Select(m => m.Deployed).ToList();
            var teacher = teachers.Count == 1 ? teachers[0] : new AveragedClassifier(teachers);
            Log($"soft labels of {string.Join("+", spec.Teachers.Select(t => t.Name))} on {train.Count:N0} training texts");
            var soft = train.Examples.Select(e =>
            {
                var q = new float[labels.Count];
                teacher.PredictProbabilities(e.Text, q);
                return (float[]?)q;
            }).ToArray();

            var student = spec.Student;
            if (spec.Baseline)
                trained.Add(Train(student, student.Name + "-labels", "student (labels)", train, null, student.Training, test, positive, seedInt, run, ct));
            var kdTraining = student.Training with { Temperature = spec.Temperature, Alpha = spec.Alpha };
            trained.Add(Train(student, student.Name + "-distilled", "student (distilled)", train, soft, kdTraining, test, positive, seedInt, run, ct));

            // Every model is timed on the same messages, in alternating blocks, so a busy machine slows them alike.
            Log($"timing {trained.Count} models on {spec.TimingCalls} messages, one at a time, in alternating blocks");
            var micros = BlockedMedianMicroseconds(trained.Select(t => t.Deployed).ToList(), test, spec.TimingCalls);
            var testLabels = test.Examples.Select(e => e.Label).ToArray();
            int teacherCount = spec.Teachers.Count;
            for (int i = 0; i < trained.Count; i++)
            {
                var t = trained[i];
                AddOutcome(t.Name, t.Role, t.Eval, Parameters(t.Model), micros[i], t.Seconds, t.Weights, positive, labels, testLabels, result, run);
                if (i == teacherCount - 1 && teacherCount > 1)
                {
                    var ensemble = TextEvaluation.FromProbabilities(testLabels, Average(trained.Take(teacherCount).Select(m => m.Eval.Probabilities).ToList()), labels.Count, positive);
                    AddOutcome(string.Join("+", spec.Teachers.Select(x => x.Name)), "teacher (ensemble)", ensemble, trained.Take(teacherCount).Sum(m => Parameters(m.Model)),
                               micros.Take(teacherCount).Sum(), 0, null, positive, labels, testLabels, result, run);
                }
            }

            var teacherOutcome = teacherCount > 1 ? result.ByRole("teacher (ensemble)")! : result.ByRole("teacher")!;
            var baseline = result.ByRole("student (labels)");
            var distilled = result.ByRole("student (distilled)")!;
            string pos = labels[positive];
            double F1(ModelOutcome m) => result.Metrics[$"{m.Name}/f1_{pos}"];
            double gap = (teacherOutcome.TestAccuracy - distilled.TestAccuracy) * 100, speedup = teacherOutcome.MicrosecondsPerSample / distilled.MicrosecondsPerSample;
            result.Metrics["distilled_accuracy_below_teacher_points"] = gap;
            result.Metrics["distilled_speedup_vs_teacher"] = speedup;
            run?.LogMetric("distilled_accuracy_below_teacher_points", gap);
            run?.LogMetric("distilled_speedup_vs_teacher", speedup);
            result.Notes.Add($"Teacher {teacherOutcome.TestAccuracy:P2} accuracy (F1 {F1(teacherOutcome):P2}); " +
                             (baseline is { } b ? $"student from labels {b.TestAccuracy:P2} (F1 {F1(b):P2}); " : "") +
                             $"distilled student {distilled.TestAccuracy:P2} (F1 {F1(distilled):P2}) at T={spec.Temperature.ToString(CultureInfo.InvariantCulture)}, alpha={spec.Alpha.ToString(CultureInfo.InvariantCulture)}.");
            result.Notes.Add($"The distilled student is {Math.Abs(gap):F2} points {(gap >= 0 ? "below" : "above")} the teacher (target: within 1) and answers one message in " +
                             $"{distilled.MicrosecondsPerSample:F1} µs against the teacher's {teacherOutcome.MicrosecondsPerSample:F1} µs: {speedup:F1}x faster (target: 20x). " +
                             $"Load average at the end: {LoadAverage()}.");
            return (false, labels);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Log("interrupted");
            return (true, labels);
        }
    }

    /// <summary>A trained model, and what answers for it: the model itself, or its compiled inference path (fastText).</summary>
    private sealed record Trained(string Name, string Role, ITextClassifier Model, ITextClassifier Deployed, TextEvaluation Eval, double Seconds, string? Weights);

    private Trained Train(TextModelSpec model, string name, string role, TextDataset train, IReadOnlyList<float[]?>? soft, StudentTrainingOptions training,
                          TextDataset test, int positive, int seed, Run? run, CancellationToken ct)
    {
        if (settings.Epochs is int epochs) training = training with { Epochs = epochs };
        Log($"{role} {name}: training a {model.Kind} model ({training.Epochs} epochs{(soft is null ? "" : $", soft labels at T={training.Temperature}, alpha={training.Alpha}")})");
        var watch = Stopwatch.StartNew();
        var classifier = model.CreateTrainer(training).Train(train.Examples, soft, train.LabelNames, seed, new LogProgress(settings.Log), ct);
        double seconds = watch.Elapsed.TotalSeconds;
        // A fastText model answers through its folded inference path (the same function, fewer memory reads); it is
        // the one evaluated, teaching and timed, so the reported accuracy is that of what is timed.
        ITextClassifier deployed = classifier.ForInference();
        var eval = TextEvaluation.Evaluate(deployed, test, positive);
        Log($"{role} {name}: test accuracy {eval.Accuracy:P2}, F1 ({train.LabelNames[positive]}) {eval.F1:P2}");
        string? weights = null;
        if (classifier is Module module)
        {
            var outDir = Path.GetFullPath(settings.OutputDirectory);
            weights = Path.Combine(outDir, name + ".safetensors");
            module.Save(weights);
            var tokenizer = classifier switch { FastTextClassifier f => f.Tokenizer, TransformerTextClassifier t => t.Tokenizer, _ => null };
            if (tokenizer is not null) File.WriteAllText(Path.Combine(outDir, name + ".tokenizer.json"), tokenizer.ToJson());
            run?.AddArtifact("weights", weights);
        }
        return new Trained(name, role, classifier, deployed, eval, seconds, weights);
    }

    private void AddOutcome(string name, string role, TextEvaluation eval, long parameters, double micros, double seconds, string? weights, int positive,
                            IReadOnlyList<string> labels, int[] trueLabels, ExperimentResult result, Run? run)
    {
        var flat = eval.Probabilities.SelectMany(p => p).ToArray();
        var reliability = Classification.Reliability(flat, labels.Count, trueLabels);
        result.Models.Add(new ModelOutcome
        {
            Name = name, Role = role, TestAccuracy = eval.Accuracy, TestLoss = eval.LogLoss, Parameters = parameters,
            MicrosecondsPerSample = micros, TrainingSeconds = seconds, Weights = weights, Confusion = eval.Confusion,
            Reliability = reliability, ExpectedCalibrationError = Classification.ExpectedCalibrationError(reliability),
        });
        string pos = labels[positive];
        result.Metrics[$"{name}/f1_{pos}"] = eval.F1;
        result.Metrics[$"{name}/precision_{pos}"] = eval.Precision;
        result.Metrics[$"{name}/recall_{pos}"] = eval.Recall;
        Log($"{role} {name}: accuracy {eval.Accuracy:P2}, F1 ({pos}) {eval.F1:P2}, {parameters:N0} parameters, {micros:F1} µs/message");
        if (run is null) return;
        run.LogMetric(MetricKeys.TestAccuracy, eval.Accuracy, name);
        run.LogMetric(MetricKeys.TestLoss, eval.LogLoss, name);
        run.LogMetric(MetricKeys.ExpectedCalibrationError, Classification.ExpectedCalibrationError(reliability), name);
        run.LogMetric($"f1_{pos}", eval.F1, name);
        run.LogMetric(MetricKeys.Parameters, parameters, name);
        run.LogMetric(MetricKeys.MicrosecondsPerSample, micros, name);
        run.LogMetric(MetricKeys.TrainSeconds, seconds, name);
    }

    /// <summary>
    /// Median time for each model to classify one message, tokenization included, over <paramref name="calls"/>
    /// test messages. The models take turns in blocks (five rounds, each model timing a fifth of the messages in
    /// a row after a short warm-up), so a busy machine slows them alike, while each model runs with its own data
    /// in cache, as it would when deployed alone (interleaving single calls would time the small student against
    /// caches and BLAS threads the large teacher has just churned).
    /// </summary>
    public static double[] BlockedMedianMicroseconds(IReadOnlyList<ITextClassifier> models, TextDataset data, int calls = 300)
    {
        const int rounds = 5, warmup = 10;
        var probabilities = new float[models.Max(m => m.LabelNames.Count)];
        var times = new List<double>[models.Count];
        for (int m = 0; m < models.Count; m++) times[m] = new List<double>(calls);
        int perRound = Math.Max(1, (calls + rounds - 1) / rounds);
        for (int r = 0; r < rounds; r++)
        {
            for (int m = 0; m < models.Count; m++)
            {
                for (int i = -warmup; i < perRound && r * perRound + Math.Max(i, 0) < calls; i++)
                {
                    int k = r * perRound + Math.Max(i, 0);
                    var text = data[(int)((k * 7919L) % data.Count)].Text;
                    long start = Stopwatch.GetTimestamp();
                    models[m].PredictProbabilities(text, probabilities);
                    long end = Stopwatch.GetTimestamp();
                    if (i >= 0) times[m].Add((end - start) * 1e6 / Stopwatch.Frequency);
                }
            }
        }
        return [.. times.Select(t =>
        {
            t.Sort();
            return t[t.Count / 2];
        })];
    }

    private static long Parameters(ITextClassifier c) => c is Module m ? m.ParameterCount : c is AveragedClassifier a ? a.Members.Sum(Parameters) : 0;

    private static float[][] Average(List<float[][]> members)
    {
        var avg = new float[members[0].Length][];
        for (int i = 0; i < avg.Length; i++)
        {
            avg[i] = new float[members[0][i].Length];
            foreach (var m in members) TensorPrimitives.Add(avg[i], m[i], avg[i]);
            TensorPrimitives.Multiply(avg[i], 1f / members.Count, avg[i]);
        }
        return avg;
    }

    private static int IndexOf(IReadOnlyList<string> labels, string label, string data)
    {
        for (int i = 0; i < labels.Count; i++)
            if (labels[i] == label) return i;
        throw new InvalidDataException($"positive label '{label}' is not a label of {data} ({string.Join(", ", labels)}).");
    }

    private static string Counts(TextDataset d) => string.Join(", ", d.GroupCounts().Select(kv => $"{kv.Key} {kv.Value}"));

    private static string LoadAverage()
    {
        try { return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "unknown"; }
        catch (UnauthorizedAccessException) { return "unknown"; }
    }

    private void Log(string message) => settings.Log?.Invoke(message);

    /// <summary>Reports a trainer's per-epoch lines through the experiment log, on the calling thread.</summary>
    private sealed class LogProgress(Action<string>? log) : IProgress<string>
    {
        public void Report(string value) => log?.Invoke(value);
    }
}
