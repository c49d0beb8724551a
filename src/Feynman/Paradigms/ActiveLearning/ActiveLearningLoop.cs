using Feynman.Data;
using Feynman.Nn;
using Feynman.Tensors;
using Feynman.Training;

namespace Feynman.Paradigms.ActiveLearning;

/// <summary>
/// Pool-based active learning: start from a few random labels, then round after round train a student on
/// the labels held, measure it on the test set, let the strategy pick the next batch from the unlabelled
/// pool, and ask the oracle for it. Every random choice derives from the run's seed, so the same seed gives
/// every strategy the same first labels and the same student initialisations.
/// </summary>
public sealed class ActiveLearningLoop(Func<Generator, Module> createStudent, TrainingOptions training, ActiveLearningOptions options)
{
    public TrainingOptions Training { get; } = training;

    public ActiveLearningOptions Options { get; } = options;

    /// <summary>Phase messages ("margin seed 1: 300 labels, accuracy 71.2%").</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Progress of each student's training.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>Called after every round with the curve so far (for live plots and run records).</summary>
    public Action<ActiveLearningPoint>? RoundFinished { get; init; }

    /// <summary>The student of the last round (after <see cref="Run"/>).</summary>
    public Module? LastStudent { get; private set; }

    public ActiveLearningCurve Run(IQueryStrategy strategy, IDataset pool, IDataset test, IOracle oracle, ulong seed,
                                   CancellationToken cancellationToken = default)
    {
        Options.Validate(pool.Count);
        if (pool.ClassNames.Count != test.ClassNames.Count)
            throw new ArgumentException($"the pool {pool.Name} has {pool.ClassNames.Count} classes but the test set {test.Name} has {test.ClassNames.Count}.");
        var labelled = new List<int>();
        var labels = new List<int>();
        var isLabelled = new bool[pool.Count];
        double cost = 0;
        void Ask(IReadOnlyList<int> items)
        {
            var answers = oracle.RequestLabelsAsync(items, cancellationToken).AsTask().GetAwaiter().GetResult();
            foreach (var a in answers)
            {
                if ((uint)a.Item >= (uint)pool.Count || !items.Contains(a.Item))
                    throw new InvalidOperationException($"oracle {oracle.Name} answered item {a.Item}, which was not asked.");
                if (isLabelled[a.Item]) continue;
                isLabelled[a.Item] = true;
                labelled.Add(a.Item);
                labels.Add(a.Label);
                cost += a.Cost;
            }
        }

        // The first labels depend only on the seed: every strategy starts from the same set.
        Ask(new Generator(seed).Permutation(pool.Count)[..Options.InitialLabels]);
        var points = new List<ActiveLearningPoint>();
        var queryRng = new Generator(seed * 31 + 17);
        Module? student = null;
        for (int round = 0; ; round++)
        {
            var set = new Relabelled(pool, [.. labelled], [.. labels], $"{pool.Name}[{labelled.Count} labelled]");
            var rng = new Generator(seed * 1_000_003 + (ulong)round);
            if (student is null || !Options.WarmStart) student = createStudent(new Generator(seed * 7919 + 1));
            int epochs = Options.EpochsFor(labelled.Count, Training.BatchSize, Training.Epochs);
            var result = new Trainer(Training with { Epochs = epochs, Seed = seed + (ulong)round, CheckpointDirectory = null, Resume = false })
                .Fit($"{strategy.Name}-seed{seed}-{labelled.Count}", student, new SupervisedLesson(), set, null, rng, Progress, null, cancellationToken);
            LastStudent = student;
            if (result.Interrupted) return new ActiveLearningCurve(strategy.Name, seed, points) { Interrupted = true };
            double accuracy = Evaluator.Evaluate(student, test, Options.EvaluationBatchSize).Accuracy;
            var point = new ActiveLearningPoint(labelled.Count, accuracy, cost);
            points.Add(point);
            RoundFinished?.Invoke(point);
            Log?.Invoke($"{strategy.Name} seed {seed}: {labelled.Count} labels, test accuracy {accuracy:P2}");
            if (labelled.Count >= Options.MaxLabels) break;
            if (cancellationToken.IsCancellationRequested) return new ActiveLearningCurve(strategy.Name, seed, points) { Interrupted = true };

            var candidates = Enumerable.Range(0, pool.Count).Where(i => !isLabelled[i]).ToArray();
            int want = Math.Min(Options.BatchSize, Options.MaxLabels - labelled.Count);
            if (Options.PoolSubsample > 0 && Options.PoolSubsample < candidates.Length)
            {
                var order = queryRng.Permutation(candidates.Length);
                candidates = [.. order[..Math.Max(Options.PoolSubsample, want)].Select(i => candidates[i]).Order()];
            }
            var picked = strategy.Select(new QueryContext(student, pool, candidates, [.. labelled], queryRng) { BatchSize = Options.EvaluationBatchSize }, want);
            if (picked.Distinct().Count() != picked.Length || picked.Any(i => isLabelled[i]))
                throw new InvalidOperationException($"strategy {strategy.Name} picked a sample twice or one already labelled.");
            int before = labelled.Count;
            Ask(picked);
            if (labelled.Count == before)
            {
                Log?.Invoke($"{strategy.Name} seed {seed}: oracle {oracle.Name} gave no labels; stopping at {before} labels.");
                break;
            }
        }
        return new ActiveLearningCurve(strategy.Name, seed, points);
    }
}
