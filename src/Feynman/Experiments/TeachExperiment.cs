using System.Diagnostics;
using System.Globalization;
using Feynman.Synthesis.Teachers;
using Feynman.Text;
using Feynman.Text.Labelling;
using Feynman.Text.Teaching;
using Feynman.Tracking;
using Feynman.Tracking.Reports;
using Feynman.Training;
using Feynman.Training.Recipes;

namespace Feynman.Experiments;

/// <summary>
/// Paradigm "teach" (<c>feynman teach RECIPE</c>): builds the recipe's data, student, labeller and writer (the LLM when an
/// endpoint is given, here or in the recipe; the registered local ones otherwise), runs the <see cref="TeachingLoop"/> in
/// the output folder (state.json, teacher-cache.db), and records every round in the run database, results.json and
/// report.html.
/// </summary>
public sealed class TeachExperiment(ExperimentSettings settings, TeacherEndpoint? teacher = null)
{
    public const string CacheFile = "teacher-cache.db";

    static TeachExperiment() => TeachRecipes.Register();

    /// <summary>The loop's outcome after <see cref="RunAsync"/> (state, last student).</summary>
    public TeachingOutcome? Outcome { get; private set; }

    public async Task<ExperimentResult> RunAsync(Recipe recipe, CancellationToken cancellationToken = default)
    {
        var spec = recipe.Section<TeachSpec>(TeachSpec.SectionKey)
                   ?? throw new InvalidDataException($"{recipe.File}: a teach recipe needs a '{TeachSpec.SectionKey}' section.");
        ulong seed = settings.Seed ?? recipe.Seed;
        int seed32 = (int)(seed % int.MaxValue);
        var outDir = Path.GetFullPath(settings.OutputDirectory);
        Directory.CreateDirectory(outDir);
        void Log(string m) => settings.Log?.Invoke(m);

        // Relative data paths are relative to the recipe.
        var dataComponent = spec.Data;
        if (recipe.File is { } file && dataComponent.Get("base_dir") is null)
            dataComponent = dataComponent with { Options = new Dictionary<string, string>(dataComponent.Options) { ["base_dir"] = Path.GetDirectoryName(Path.GetFullPath(file))! } };
        var context = new TeachContext(spec, dataComponent, seed32, outDir) { DataDirectory = settings.DataDirectory, Log = settings.Log, CancellationToken = cancellationToken };
        var data = TeachingComponents.CreateData(context);
        context = context with { Data = data };
        var trainer = TeachingComponents.CreateStudent(context with { Component = spec.Student });

        var endpoint = teacher ?? spec.Endpoint;
        Budget? budget = null;
        TeacherPool? pool = null;
        TeacherCallCache? cache = null;
        ITextLabeler labeler;
        IExampleWriter writer;
        if (endpoint != null)
        {
            budget = new Budget(spec.MaxCost, spec.MaxTokens);
            cache = TeacherCallCache.Open(Path.Combine(outDir, CacheFile));
            // Everything this output folder ever paid for counts against the caps, interrupted rounds included.
            var (tokens, cost) = cache.TotalUsage();
            budget.AddSpent(tokens, cost);
            pool = new TeacherPool([endpoint], new TeacherPoolOptions { MaxInFlight = endpoint.MaxConcurrency, AttemptTimeout = TimeSpan.FromSeconds(spec.TimeoutSeconds) });
            var caller = new TeacherCaller(pool, endpoint.Model, cache, budget, endpoint);
            labeler = new LlmTextLabeler(caller, spec.Labelling with { Seed = seed32, FewShot = FewShot(data.Train, spec.FewShotPerLabel, data.LabelNames.Count) });
            writer = new LlmExampleWriter(caller, spec.Writing);
            Log($"teacher: {endpoint.DisplayName} (labels and new examples), cache {cache.Path}");
        }
        else
        {
            if (spec.Labeler.Name == TeachSpec.Llm || spec.Writer.Name == TeachSpec.Llm)
                throw new InvalidDataException($"{recipe.File}: the labeller or writer is 'llm' but no endpoint is given; pass --teacher-url and --teacher-model or set teach.endpoint.");
            labeler = TeachingComponents.CreateLabeler(context with { Component = spec.Labeler });
            writer = TeachingComponents.CreateWriter(context with { Component = spec.Writer });
            Log($"teacher: local labeller {labeler.Name}, writer {writer.Name}");
        }

        using var store = settings.DatabasePath is { } db ? RunStore.Open(db) : null;
        var commit = RunStore.GitCommit();
        using var run = store?.StartRun(recipe.Name, recipe.Source, recipe.ToResolvedJson(), seed, commit);
        var result = new ExperimentResult
        {
            Recipe = recipe.Name, Paradigm = TeachSpec.ParadigmName, Seed = seed, RunId = run?.Id, GitCommit = commit,
            StartedAt = DateTimeOffset.UtcNow, ClassNames = [.. data.LabelNames],
        };
        try
        {
            var loop = new TeachingLoop(trainer, labeler, writer, spec.Loop with { Seed = seed32 })
            {
                Budget = budget,
                Log = settings.Log,
                RoundFinished = r => run?.LogEpoch(spec.Student.Name, r.Round,
                [
                    new("dev_accuracy", r.DevAccuracy), new("train_examples", r.TrainExamples), new("proposed", r.Proposed), new("kept", r.Kept),
                    new("rejected", r.Rejected.Values.Sum()), new("teacher_tokens", r.TeacherTokens), new("teacher_cost", r.TeacherCost),
                ]),
            };
            var outcome = await loop.RunAsync(data.Seed, data.Dev, data.LabelNames, outDir, settings.Resume, cancellationToken).ConfigureAwait(false);
            Outcome = outcome;
            await Summarise(spec, data, labeler, outcome, result, run, cancellationToken).ConfigureAwait(false);
            result = result with { Interrupted = outcome.Interrupted };
            run?.AddArtifact("teaching-state", Path.Combine(outDir, TeachingState.FileName));
            if (cache != null) run?.AddArtifact("teacher-cache", cache.Path);
            WriteOutputs(result, outDir, run);
            run?.Finish(outcome.Interrupted ? RunStatus.Interrupted : RunStatus.Finished);
            return result;
        }
        catch (Exception ex)
        {
            run?.Finish(RunStatus.Failed, ex.Message);
            throw;
        }
        finally
        {
            pool?.Dispose();
            cache?.Dispose();
        }
    }

    private static async Task Summarise(TeachSpec spec, TeachingData data, ITextLabeler labeler, TeachingOutcome outcome, ExperimentResult result, Run? run, CancellationToken ct)
    {
        var s = outcome.State;
        var rounds = s.Rounds;
        long tokens = s.SeedTeacherTokens + rounds.Sum(r => r.TeacherTokens);
        double cost = s.SeedTeacherCost + rounds.Sum(r => r.TeacherCost);
        result.Metrics["rounds"] = rounds.Count;
        result.Metrics["examples"] = s.Examples.Count;
        result.Metrics["examples_from_writer"] = s.Examples.Count(e => e.Source != "seed");
        result.Metrics["teacher_tokens"] = tokens;
        result.Metrics["teacher_cost"] = cost;
        if (rounds.Count > 0) result.Metrics["final_dev_accuracy"] = rounds[^1].DevAccuracy;
        run?.LogMetric("teacher_tokens", tokens);
        run?.LogMetric("teacher_cost", cost);

        result.Notes.Add($"Seed labelling: {s.Examples.Count(e => e.Source == "seed")} texts labelled by {labeler.Name}, {s.SeedRejected.Count} set aside; {s.SeedTeacherTokens:N0} teacher tokens, ${s.SeedTeacherCost:F4}.");
        foreach (var r in rounds)
        {
            string rejected = r.Rejected.Count == 0 ? "none rejected" : "rejected: " + string.Join(", ", r.Rejected.Select(kv => $"{kv.Value} {kv.Key}"));
            result.Notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"Round {r.Round}: student trained on {r.TrainExamples} examples, dev accuracy {r.DevAccuracy:P2}; {r.Proposed} proposed, {r.Kept} kept, {rejected}; teacher {r.TeacherTokens:N0} tokens, ${r.TeacherCost:F4}{(r.Stop is { } stop ? $"; stopped: {stop}" : "")}."));
        }
        if (s.StopReason is { } why) result.Notes.Add($"The loop stopped: {why}.");

        var history = rounds.Select(r => new EpochRecord(r.Round, double.NaN, double.NaN, double.NaN, r.DevAccuracy, 0, 0)).ToList();
        if (outcome.Student is { } trainedStudent)
        {
            // A fastText student answers through its compiled inference path (the same function): that is what is timed.
            var student = trainedStudent.ForInference();
            var test = data.Test ?? [];
            double accuracy = test.Count > 0 ? Accuracy(student, test) : double.NaN;
            double micros = test.Count > 0 ? MedianMicroseconds(student, test) : 0;
            result.Models.Add(new ModelOutcome
            {
                Name = spec.Student.Name, Role = "student (taught)", TestAccuracy = accuracy, MicrosecondsPerSample = micros, History = history,
                Parameters = trainedStudent is Nn.Module m ? m.ParameterCount : 0,
            });
            if (test.Count > 0)
            {
                run?.LogMetric(MetricKeys.TestAccuracy, accuracy, spec.Student.Name);
                run?.LogMetric(MetricKeys.MicrosecondsPerSample, micros, spec.Student.Name);
                // A local teacher costs nothing to evaluate; an LLM's test answers would be paid for, so it is not.
                if (labeler is LocalTextLabeler local)
                {
                    var labels = await local.LabelAsync(test.Select(t => t.Text).ToList(), data.LabelNames, ct).ConfigureAwait(false);
                    double teacherAccuracy = (double)test.Where((t, i) => labels[i].Label == t.Label).Count() / test.Count;
                    result.Models.Add(new ModelOutcome
                    {
                        Name = local.Name, Role = "teacher", TestAccuracy = teacherAccuracy, MicrosecondsPerSample = MedianMicroseconds(local.Model.ForInference(), test),
                        Parameters = local.Model is Nn.Module tm ? tm.ParameterCount : 0,
                    });
                    run?.LogMetric(MetricKeys.TestAccuracy, teacherAccuracy, local.Name);
                }
            }
        }
    }

    private static double Accuracy(ITextClassifier model, IReadOnlyList<TextExample> test)
    {
        var p = new float[model.LabelNames.Count];
        int right = 0;
        foreach (var t in test)
        {
            model.PredictProbabilities(t.Text, p);
            int best = 0;
            for (int i = 1; i < p.Length; i++) if (p[i] > p[best]) best = i;
            if (best == t.Label) right++;
        }
        return (double)right / test.Count;
    }

    // Median over up to 200 messages of one in-process prediction each.
    private static double MedianMicroseconds(ITextClassifier model, IReadOnlyList<TextExample> test)
    {
        var p = new float[model.LabelNames.Count];
        var times = new List<double>();
        foreach (var t in test.Take(200))
        {
            long start = Stopwatch.GetTimestamp();
            model.PredictProbabilities(t.Text, p);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    private static IReadOnlyList<TextExample> FewShot(IReadOnlyList<TextExample>? train, int perLabel, int labels)
    {
        if (train is null || perLabel <= 0) return [];
        return Enumerable.Range(0, labels).SelectMany(l => train.Where(t => t.Label == l).Take(perLabel)).ToList();
    }

    private void WriteOutputs(ExperimentResult result, string outDir, Run? run) => ExperimentRunner.WriteOutputs(result, outDir, run, settings.Log);
}
