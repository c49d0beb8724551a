using System.Diagnostics;
using System.Threading.Channels;
using Feynman.Data;
using Feynman.Nn;
using Feynman.Paradigms;
using Feynman.Paradigms.ActiveLearning;
using Feynman.Tensors;
using Feynman.Tracking;
using Feynman.Training;

namespace Feynman.Web;

/// <summary>
/// The state behind the annotation app: the current student (swapped atomically when a retrained one is
/// ready), the learning curve, and the queue's ranking, cached per student version so a request does not score
/// the whole pool. Retraining (<see cref="Retrain"/>) trains a fresh copy of the starting student on every
/// stored label while requests keep using the current one.
/// </summary>
public sealed class AnnotationSession
{
    private readonly Lock scoreLock = new();     // held while a student runs (scoring, evaluation) and while one is swapped
    private readonly Lock retrainLock = new();
    private readonly Lock curveLock = new();
    private readonly List<CurvePoint> curve = [];
    private readonly Channel<bool> retrainRequests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Module initialModel;
    private StudentVersion current;
    private Ranked? ranking;
    private int refills;
    private int labelsSinceRetrain;
    private volatile bool retraining;

    public AnnotationSession(LabelStore store, IDataset pool, Module student, IQueryStrategy strategy, AnnotationOptions options)
    {
        options.Validate();
        if (options.Holdout is { } h && h.ClassNames.Count != pool.ClassNames.Count)
            throw new ArgumentException($"the held-out set {h.Name} has {h.ClassNames.Count} classes but the pool {pool.Name} has {pool.ClassNames.Count}.");
        if (options.Holdout is { } o && !o.SampleShape.SequenceEqual(pool.SampleShape))
            throw new ArgumentException($"the held-out set {o.Name} has samples of shape [{string.Join(", ", o.SampleShape)}] but the pool {pool.Name} has [{string.Join(", ", pool.SampleShape)}].");
        Store = store;
        Pool = pool;
        Strategy = strategy;
        Options = options;
        initialModel = student;
        current = new StudentVersion(0, student, 0, null, DateTimeOffset.UtcNow);
    }

    public LabelStore Store { get; }

    public IDataset Pool { get; }

    public IQueryStrategy Strategy { get; }

    public AnnotationOptions Options { get; }

    public int Classes => Pool.ClassNames.Count;

    /// <summary>"text" when items have text, else "image".</summary>
    public string Kind => Options.ItemText is null ? "image" : "text";

    /// <summary>The student the queue uses now.</summary>
    public StudentVersion Current => Volatile.Read(ref current);

    /// <summary>True while a retrained student is being trained.</summary>
    public bool IsRetraining => retraining;

    /// <summary>The last retraining failure, if the last attempt failed.</summary>
    public string? LastError { get; private set; }

    /// <summary>New labels still needed before the next retraining (0 when one is due or running; -1 when retraining is off).</summary>
    public int LabelsUntilRetrain => RetrainingEnabled ? Math.Max(0, Options.RetrainEvery - Volatile.Read(ref labelsSinceRetrain)) : -1;

    public bool RetrainingEnabled => Options.CreateStudent is not null && Options.RetrainEvery > 0;

    /// <summary>Called (on the retraining thread) after each new point of the curve.</summary>
    public event Action<CurvePoint>? CurvePointAdded;

    /// <summary>The learning curve so far, oldest first.</summary>
    public IReadOnlyList<CurvePoint> Curve
    {
        get { lock (curveLock) return [.. curve]; }
    }

    /// <summary>Signals to the background service that a retraining is due.</summary>
    internal ChannelReader<bool> RetrainRequests => retrainRequests.Reader;

    /// <summary>True when a retraining was asked for and has not started yet.</summary>
    public bool RetrainPending => retrainRequests.Reader.Count > 0;

    /// <summary>Asks the background service to retrain soon (at most one request waits).</summary>
    public void RequestRetrain() => retrainRequests.Writer.TryWrite(true);

    /// <summary>Up to <paramref name="count"/> unlabelled items, the strategy's first choices under the current student.</summary>
    public IReadOnlyList<QueueItem> Queue(int count)
    {
        var labelled = Store.LabelledItems();
        lock (scoreLock)
        {
            var student = current;
            if (ranking is null || ranking.Version != student.Version || (!ranking.Exhaustive && ranking.Items.Count(i => !labelled.Contains(i.Id)) < count))
                ranking = Rank(student, labelled, Math.Max(count, Options.QueueDepth));
            return [.. ranking.Items.Where(i => !labelled.Contains(i.Id)).Take(count)];
        }
    }

    /// <summary>One item with the current student's guess (for an item outside the queue, e.g. after an undo).</summary>
    public QueueItem Describe(int item)
    {
        if ((uint)item >= (uint)Pool.Count) throw new ArgumentOutOfRangeException(nameof(item), $"unknown item {item}; items are 0..{Pool.Count - 1}.");
        lock (scoreLock) return Items(current.Model, [item])[0];
    }

    /// <summary>Stores a label and, every <see cref="AnnotationOptions.RetrainEvery"/> new labels, asks for a retraining.</summary>
    public StoredLabel AddLabel(int item, int label, string annotator)
    {
        if ((uint)item >= (uint)Pool.Count) throw new ArgumentOutOfRangeException(nameof(item), $"unknown item {item}; items are 0..{Pool.Count - 1}.");
        if ((uint)label >= (uint)Classes) throw new ArgumentOutOfRangeException(nameof(label), $"label {label} is out of range 0..{Classes - 1}.");
        var stored = Store.AddLabel(item, label, annotator);
        if (RetrainingEnabled && Interlocked.Increment(ref labelsSinceRetrain) >= Options.RetrainEvery)
        {
            Interlocked.Exchange(ref labelsSinceRetrain, 0);
            RequestRetrain();
        }
        return stored;
    }

    /// <summary>Measures the starting student on the held-out set: the first point of the curve.</summary>
    public CurvePoint EvaluateInitial()
    {
        double? accuracy;
        lock (scoreLock)
        {
            accuracy = Options.Holdout is { } h ? Evaluator.Evaluate(current.Model, h, Options.Training.EvaluationBatchSize).Accuracy : null;
            current = current with { Accuracy = accuracy };
        }
        var point = new CurvePoint(0, 0, accuracy, 0, DateTimeOffset.UtcNow);
        AddPoint(point);
        return point;
    }

    /// <summary>
    /// Trains a fresh copy of the starting student on every stored label (majority per item, ties to the earliest,
    /// as <see cref="LabelStoreOracle"/> answers), measures it on the held-out set and swaps it in. Returns the new
    /// curve point, or null when there is nothing to learn from or retraining is off.
    /// </summary>
    public CurvePoint? Retrain(CancellationToken cancellationToken = default)
    {
        if (Options.CreateStudent is not { } create) return null;
        lock (retrainLock)
        {
            var items = Store.LabelledItems().Order().ToArray();
            if (items.Length == 0) return null;
            retraining = true;
            try
            {
                var answers = new LabelStoreOracle(Store, Classes).RequestLabelsAsync(items, cancellationToken).AsTask().GetAwaiter().GetResult();
                var set = new Relabelled(Pool, [.. answers.Select(a => a.Item)], [.. answers.Select(a => a.Label)], $"{Pool.Name}[{answers.Count} labelled]");
                int version = current.Version + 1;
                var clock = Stopwatch.StartNew();
                var model = create();
                var result = new Trainer(Options.Training with { Seed = Options.Seed + (ulong)version, CheckpointDirectory = null, Resume = false })
                    .Fit($"annotation-v{version}", model, new SupervisedLesson(), set, null, new Generator(Options.Seed * 1_000_003 + (ulong)version), null, null, cancellationToken);
                if (result.Interrupted) return null;
                // The new model is not shared yet: measuring it needs no lock.
                double? accuracy = Options.Holdout is { } h ? Evaluator.Evaluate(model, h, Options.Training.EvaluationBatchSize).Accuracy : null;
                var point = new CurvePoint(version, set.Count, accuracy, clock.Elapsed.TotalSeconds, DateTimeOffset.UtcNow);
                StudentVersion old;
                lock (scoreLock)
                {
                    old = current;
                    Volatile.Write(ref current, new StudentVersion(version, model, set.Count, accuracy, point.At));
                    ranking = null;
                }
                // Nobody runs the old student any more (scoring holds the lock); the caller owns the starting one.
                if (!ReferenceEquals(old.Model, initialModel)) old.Model.Dispose();
                LastError = null;
                AddPoint(point);
                return point;
            }
            finally
            {
                retraining = false;
            }
        }
    }

    internal void RecordFailure(Exception ex) => LastError = $"retraining failed: {ex.Message}";

    private void AddPoint(CurvePoint point)
    {
        lock (curveLock) curve.Add(point);
        CurvePointAdded?.Invoke(point);
    }

    private Ranked Rank(StudentVersion student, HashSet<int> labelled, int depth)
    {
        var candidates = Enumerable.Range(0, Pool.Count).Where(i => !labelled.Contains(i)).ToArray();
        if (candidates.Length == 0) return new Ranked(student.Version, [], true);
        var rng = new Generator(Options.Seed * 7919 + (ulong)student.Version * 131 + (ulong)refills++);
        bool exhaustive = true;
        // As the active-learning loop's pool_subsample: score a seeded random part of a large pool.
        if (Options.PoolSubsample > 0 && Options.PoolSubsample < candidates.Length && depth < candidates.Length)
        {
            var order = rng.Permutation(candidates.Length);
            candidates = [.. order[..Math.Max(Options.PoolSubsample, depth)].Select(i => candidates[i]).Order()];
            exhaustive = false;
        }
        var picked = Strategy.Select(new QueryContext(student.Model, Pool, candidates, [.. labelled], rng), Math.Min(depth, candidates.Length));
        return new Ranked(student.Version, Items(student.Model, picked), exhaustive && picked.Length == candidates.Length);
    }

    private QueueItem[] Items(Module model, int[] ids)
    {
        if (ids.Length == 0) return [];
        var probs = ModelOutputs.Probabilities(model, Pool, ids);
        int classes = Classes;
        return [.. ids.Select((id, r) =>
        {
            var row = probs.AsSpan(r * classes, classes);
            int arg = TensorPrimitives.IndexOfMax(row);
            return new QueueItem(id, Kind, arg, row[arg], Options.ItemText?.Invoke(id));
        })];
    }

    private sealed record Ranked(int Version, QueueItem[] Items, bool Exhaustive);
}
