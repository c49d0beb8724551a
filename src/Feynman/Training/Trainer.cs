using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Feynman.Data;
using Feynman.Nn;
using Feynman.Optim;
using Feynman.Paradigms;
using Feynman.Serialization;
using Feynman.Tensors;
using Feynman.Tracking;

namespace Feynman.Training;

/// <summary>
/// The training loop every lesson shares: epochs of batches (forward, lesson loss, backward, step),
/// validation, early stopping, a checkpoint after every epoch and on cancellation, and resume that
/// reproduces an uninterrupted run exactly (data order and augmentation depend only on the seed, the
/// epoch and the batch; model, optimizer, schedule and dropout state are in the checkpoint).
/// </summary>
public sealed class Trainer(TrainingOptions options)
{
    private static readonly JsonSerializerOptions HistoryJson = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public TrainingOptions Options { get; } = options;

    /// <summary>The checkpoint file a run with these options writes and resumes from.</summary>
    public string? CheckpointPath => Options.CheckpointDirectory is { } d ? Path.Combine(d, "checkpoint.safetensors") : null;

    /// <summary>
    /// Trains <paramref name="model"/> with <paramref name="lesson"/>. <paramref name="modelRng"/> is the
    /// generator the model's random layers (dropout) draw from; it is checkpointed with the model.
    /// Cancellation stops at the next batch boundary after saving a checkpoint.
    /// </summary>
    public TrainingResult Fit(string name, Module model, ILesson lesson, IDataset train, IDataset? validation = null,
                              Generator? modelRng = null, IProgress<TrainingProgress>? progress = null, Run? run = null,
                              CancellationToken cancellationToken = default)
    {
        var o = Options;
        if (o.Epochs <= 0) throw new ArgumentOutOfRangeException(nameof(options), $"epochs must be positive, got {o.Epochs}.");
        var optimizer = CreateOptimizer(model);
        var scheduler = CreateScheduler(optimizer);
        var transforms = new List<ITransform>();
        if (o.CropPadding > 0) transforms.Add(new RandomCrop(o.CropPadding));
        if (o.HorizontalFlip) transforms.Add(new RandomHorizontalFlip());
        using var loader = new DataLoader(train, o.BatchSize, shuffle: true, seed: o.Seed, dropLast: false, transforms: transforms);
        int classes = train.ClassNames.Count;

        var history = new List<EpochRecord>();
        int startEpoch = 0, startBatch = 0, bestEpoch = -1, badEpochs = 0;
        double bestLoss = double.PositiveInfinity, partialLoss = 0, trainSeconds = 0;
        long partialCorrect = 0, partialSeen = 0;
        string? checkpoint = CheckpointPath;
        if (checkpoint != null) Directory.CreateDirectory(o.CheckpointDirectory!);
        if (checkpoint != null && o.Resume && File.Exists(checkpoint))
        {
            var meta = Checkpoint.Load(checkpoint, model, optimizer, modelRng, scheduler);
            startEpoch = Int(meta, "epoch");
            startBatch = Int(meta, "batch");
            partialLoss = Dbl(meta, "partial.loss");
            partialCorrect = (long)Dbl(meta, "partial.correct");
            partialSeen = (long)Dbl(meta, "partial.seen");
            bestEpoch = Int(meta, "best.epoch");
            bestLoss = Dbl(meta, "best.loss");
            badEpochs = Int(meta, "bad_epochs");
            trainSeconds = Dbl(meta, "seconds");
            history = JsonSerializer.Deserialize<List<EpochRecord>>(meta["history"], HistoryJson) ?? [];
        }

        bool interrupted = false, stoppedEarly = false;
        var clock = Stopwatch.StartNew();
        long samplesThisRun = 0;
        model.Train();
        for (int epoch = startEpoch; epoch < o.Epochs && !interrupted && !stoppedEarly; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            double lossSum = epoch == startEpoch ? partialLoss : 0;
            long correct = epoch == startEpoch ? partialCorrect : 0, seen = epoch == startEpoch ? partialSeen : 0;
            double lr = optimizer.LearningRate;
            foreach (var batch in loader.Epoch(epoch, epoch == startEpoch ? startBatch : 0))
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    if (checkpoint != null)
                        Save(checkpoint, model, optimizer, modelRng, scheduler, epoch, batch.Index, lossSum, correct, seen, bestEpoch, bestLoss, badEpochs, trainSeconds + clock.Elapsed.TotalSeconds, history);
                    interrupted = true;
                    break;
                }
                if (lesson is IScheduledLesson scheduled) scheduled.OnStep(epoch * loader.BatchesPerEpoch + batch.Index, o.Epochs * loader.BatchesPerEpoch);
                using (TensorScope.Begin())
                {
                    var logits = model.Forward(batch.Inputs);
                    var loss = lesson.Loss(logits, batch);
                    float value = loss.Item();
                    if (!float.IsFinite(value))
                        throw new TrainingDivergedException($"{name}: the {lesson.Name} loss is {value} at epoch {epoch + 1}, batch {batch.Index + 1}; lower the learning rate or enable gradient clipping." +
                            (checkpoint != null && File.Exists(checkpoint) ? $" The last good checkpoint is {checkpoint}." : ""));
                    loss.Backward();
                    if (o.ClipGradNorm > 0) GradientClipping.ClipGradNorm(optimizer.Parameters, o.ClipGradNorm);
                    optimizer.Step();
                    optimizer.ZeroGrad();
                    lossSum += (double)value * batch.Size;
                    correct += CountCorrect(logits.Span, classes, batch.Labels);
                    seen += batch.Size;
                    samplesThisRun += batch.Size;
                }
                if (progress != null && (batch.Index % 10 == 9 || batch.Index == loader.BatchesPerEpoch - 1))
                    progress.Report(new TrainingProgress(name, epoch, o.Epochs, batch.Index + 1, loader.BatchesPerEpoch, samplesThisRun / clock.Elapsed.TotalSeconds, lossSum / Math.Max(seen, 1), false));
            }
            if (interrupted) break;
            scheduler?.Step();

            double valLoss = double.NaN, valAcc = double.NaN;
            if (validation != null)
            {
                var eval = Evaluator.Evaluate(model, validation, o.EvaluationBatchSize);
                valLoss = eval.Loss;
                valAcc = eval.Accuracy;
            }
            var record = new EpochRecord(epoch + 1, lossSum / Math.Max(seen, 1), (double)correct / Math.Max(seen, 1), valLoss, valAcc, lr, epochClock.Elapsed.TotalSeconds);
            history.Add(record);
            run?.LogEpoch(name, epoch + 1, new Dictionary<string, double>
            {
                [MetricKeys.TrainLoss] = record.TrainLoss, [MetricKeys.TrainAccuracy] = record.TrainAccuracy,
                [MetricKeys.ValidationLoss] = record.ValidationLoss, [MetricKeys.ValidationAccuracy] = record.ValidationAccuracy, [MetricKeys.LearningRate] = lr,
            });
            progress?.Report(new TrainingProgress(name, epoch, o.Epochs, loader.BatchesPerEpoch, loader.BatchesPerEpoch, samplesThisRun / clock.Elapsed.TotalSeconds, record.TrainLoss, true));

            if (validation != null && o.EarlyStoppingPatience > 0)
            {
                // "bestLoss" holds the watched metric, negated for accuracy so that lower is always better.
                double watched = o.EarlyStoppingMetric switch
                {
                    "val_loss" => valLoss,
                    "val_accuracy" => -valAcc,
                    _ => throw new ArgumentException($"early stopping metric '{o.EarlyStoppingMetric}' is not one of: val_loss, val_accuracy."),
                };
                if (watched < bestLoss - o.EarlyStoppingMinDelta)
                {
                    bestLoss = watched;
                    bestEpoch = epoch + 1;
                    badEpochs = 0;
                    SaveBest(model);
                }
                else if (++badEpochs >= o.EarlyStoppingPatience) stoppedEarly = true;
            }
            if (checkpoint != null)
                Save(checkpoint, model, optimizer, modelRng, scheduler, epoch + 1, 0, 0, 0, 0, bestEpoch, bestLoss, badEpochs, trainSeconds + clock.Elapsed.TotalSeconds, history);
        }
        if (!interrupted && bestEpoch > 0) RestoreBest(model);
        double seconds = trainSeconds + clock.Elapsed.TotalSeconds;
        return new TrainingResult(name, history, interrupted, stoppedEarly, bestEpoch, seconds, samplesThisRun / Math.Max(clock.Elapsed.TotalSeconds, 1e-9));
    }

    private Dictionary<string, Tensor>? bestInMemory;

    private string? BestPath => Options.CheckpointDirectory is { } d ? Path.Combine(d, "best.safetensors") : null;

    private void SaveBest(Module model)
    {
        if (BestPath is { } p)
        {
            model.Save(p);
            return;
        }
        bestInMemory = TensorScope.Outside(() => model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone().Detach()));
    }

    private void RestoreBest(Module model)
    {
        if (BestPath is { } p && File.Exists(p)) model.Load(p);
        else if (bestInMemory != null) model.LoadStateDict(bestInMemory);
    }

    private static long CountCorrect(ReadOnlySpan<float> logits, int classes, int[] labels)
    {
        long c = 0;
        for (int i = 0; i < labels.Length; i++)
            if (TensorPrimitives.IndexOfMax(logits.Slice(i * classes, classes)) == labels[i]) c++;
        return c;
    }

    private Optimizer CreateOptimizer(Module model)
    {
        var o = Options;
        var parameters = model.Parameters().ToList();
        if (parameters.Count == 0) throw new ArgumentException("the model has no parameters to train.");
        return o.CreateOptimizer(parameters);
    }

    private LrScheduler? CreateScheduler(Optimizer optimizer)
    {
        var o = Options;
        int main = Math.Max(1, o.Epochs - o.WarmupEpochs);
        LrScheduler? inner = o.Schedule.ToLowerInvariant() switch
        {
            "none" or "constant" or "" => null,
            "cosine" => new CosineAnnealingLR(optimizer, main),
            "step" => new StepLR(optimizer, Math.Max(1, main / 3)),
            _ => throw new ArgumentException($"unknown schedule '{o.Schedule}' (constant, cosine, step)."),
        };
        if (o.WarmupEpochs > 0) inner = new LinearWarmup(inner ?? new StepLR(optimizer, int.MaxValue, 1.0), o.WarmupEpochs);
        return inner;
    }

    private static void Save(string path, Module model, Optimizer optimizer, Generator? rng, LrScheduler? scheduler, int epoch, int batch,
                             double lossSum, long correct, long seen, int bestEpoch, double bestLoss, int badEpochs, double seconds, List<EpochRecord> history)
    {
        var meta = new Dictionary<string, string>
        {
            ["epoch"] = epoch.ToString(CultureInfo.InvariantCulture),
            ["batch"] = batch.ToString(CultureInfo.InvariantCulture),
            ["partial.loss"] = lossSum.ToString("R", CultureInfo.InvariantCulture),
            ["partial.correct"] = correct.ToString(CultureInfo.InvariantCulture),
            ["partial.seen"] = seen.ToString(CultureInfo.InvariantCulture),
            ["best.epoch"] = bestEpoch.ToString(CultureInfo.InvariantCulture),
            ["best.loss"] = bestLoss.ToString("R", CultureInfo.InvariantCulture),
            ["bad_epochs"] = badEpochs.ToString(CultureInfo.InvariantCulture),
            ["seconds"] = seconds.ToString("R", CultureInfo.InvariantCulture),
            ["history"] = JsonSerializer.Serialize(history, HistoryJson),
        };
        Checkpoint.Save(path, model, optimizer, rng, meta, scheduler);
    }

    private static int Int(IReadOnlyDictionary<string, string> meta, string key) =>
        meta.TryGetValue(key, out var v) && int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int r) ? r
        : throw new InvalidDataException($"checkpoint metadata '{key}' is missing or not an integer.");

    private static double Dbl(IReadOnlyDictionary<string, string> meta, string key) =>
        meta.TryGetValue(key, out var v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double r) ? r
        : throw new InvalidDataException($"checkpoint metadata '{key}' is missing or not a number.");
}
