using Feynman.Nn;
using Feynman.Paradigms.ActiveLearning;
using Feynman.Tensors;
using Feynman.Training;

namespace Feynman.Tests.ActiveLearning;

public class ActiveLearningLoopTests
{
    private static ActiveLearningCurve Curve(string name, params (int Labels, double Accuracy)[] points) =>
        new(name, 1, points.Select(p => new ActiveLearningPoint(p.Labels, p.Accuracy, p.Labels)).ToList());

    [Fact]
    public void LabelsToMatchFindsTheFirstRoundAtRandomsFinalAccuracy()
    {
        var random = Curve("random", (100, 0.60), (200, 0.70), (300, 0.75));
        var margin = Curve("margin", (100, 0.60), (200, 0.76), (300, 0.80));
        var entropy = Curve("entropy", (100, 0.60), (200, 0.65), (300, 0.74));
        var late = Curve("late", (100, 0.60), (200, 0.749), (300, 0.75));
        Assert.Equal(200, LabelEfficiency.LabelsToMatch(margin, random));
        Assert.Null(LabelEfficiency.LabelsToMatch(entropy, random));
        Assert.Equal(300, LabelEfficiency.LabelsToMatch(late, random));
        Assert.Equal(300, LabelEfficiency.LabelsToMatch(random, random));
        Assert.Equal(200, LabelEfficiency.LabelsToReach(margin, 0.7));
    }

    [Fact]
    public void MeanCurveAveragesSeedsAtSharedLabelCounts()
    {
        var a = Curve("margin", (100, 0.5), (200, 0.7), (300, 0.8));
        var b = Curve("margin", (100, 0.6), (200, 0.8));
        var mean = LabelEfficiency.Mean([a, b]);
        Assert.Equal([100, 200], mean.Points.Select(p => p.Labels));
        Assert.Equal(0.55, mean.Points[0].TestAccuracy, 12);
        Assert.Equal(0.75, mean.Points[1].TestAccuracy, 12);
        Assert.Throws<ArgumentException>(() => LabelEfficiency.Mean([a, Curve("random", (100, 0.5))]));
    }

    private static ActiveLearningLoop Loop(int initial, int batch, int max) => new(
        rng => new Sequential(new Linear(6, 16, rng: rng), new ReLU(), new Dropout(0.2, rng), new Linear(16, 3, rng: rng)),
        new TrainingOptions { Epochs = 15, BatchSize = 32, LearningRate = 0.1, Schedule = "constant", WeightDecay = 0 },
        new ActiveLearningOptions { InitialLabels = initial, BatchSize = batch, MaxLabels = max });

    [Fact]
    public void LoopAddsBatchesUntilTheBudgetAndRecordsTheCurve()
    {
        var pool = Training.SyntheticData.Blobs(400, features: 6, classes: 3, seed: 5, spread: 1.2f, sampleSeed: 1);
        var test = Training.SyntheticData.Blobs(300, features: 6, classes: 3, seed: 5, spread: 1.2f, sampleSeed: 2);
        var oracle = new DatasetOracle(pool, costPerLabel: 0.5);
        var random = Loop(10, 15, 50).Run(new RandomStrategy(), pool, test, oracle, seed: 3);
        var margin = Loop(10, 15, 50).Run(new MarginStrategy(), pool, test, oracle, seed: 3);
        // 10, then +15 twice, then the last round is cut to the budget.
        Assert.Equal([10, 25, 40, 50], random.Points.Select(p => p.Labels));
        Assert.Equal([5.0, 12.5, 20.0, 25.0], random.Points.Select(p => p.Cost));
        // Same seed: same first labels and same initial student, so the first round is identical.
        Assert.Equal(random.Points[0].TestAccuracy, margin.Points[0].TestAccuracy);
        // More labels help: both gain clearly over the 10-label student (about 64% here; the classes overlap, so the ceiling is near 80%).
        Assert.True(margin.FinalAccuracy > margin.Points[0].TestAccuracy + 0.08, $"margin: {string.Join(", ", margin.Points)}");
        Assert.True(random.FinalAccuracy > random.Points[0].TestAccuracy + 0.08, $"random: {string.Join(", ", random.Points)}");
        // Deterministic by seed.
        var again = Loop(10, 15, 50).Run(new MarginStrategy(), pool, test, oracle, seed: 3);
        Assert.Equal(margin.Points, again.Points);
    }

    private sealed class EpochCounter : IProgress<TrainingProgress>
    {
        public Dictionary<string, int> BatchesPerRound { get; } = [];

        public void Report(TrainingProgress value)
        {
            if (value.EpochEnd) BatchesPerRound[value.Model] = BatchesPerRound.GetValueOrDefault(value.Model) + value.Batches;
        }
    }

    [Fact]
    public void StepsPerRoundSetTheEpochsFromTheLabelsHeld()
    {
        var steps = new ActiveLearningOptions { StepsPerRound = 200 };
        Assert.Equal(100, steps.EpochsFor(100, 64, 30));    // 2 batches per epoch
        Assert.Equal(5, steps.EpochsFor(3000, 64, 30));     // 47 batches: 5 epochs, 235 steps
        Assert.Equal(200, steps.EpochsFor(10, 64, 30));
        Assert.Equal(30, new ActiveLearningOptions().EpochsFor(3000, 64, 30));   // 0: the training section's epochs
        Assert.Throws<ArgumentException>(() => new ActiveLearningOptions { StepsPerRound = -1 }.Validate(100));

        // In the loop: rounds of 10, 25 and 40 labels in batches of 32 take 1, 1 and 2 batches per epoch, so 12 steps are 12, 12 and 6 epochs.
        var pool = Training.SyntheticData.Blobs(400, features: 6, classes: 3, seed: 5, spread: 1.2f, sampleSeed: 1);
        var counter = new EpochCounter();
        var loop = new ActiveLearningLoop(
            rng => new Sequential(new Linear(6, 16, rng: rng), new ReLU(), new Linear(16, 3, rng: rng)),
            new TrainingOptions { Epochs = 15, BatchSize = 32, LearningRate = 0.1, Schedule = "constant", WeightDecay = 0 },
            new ActiveLearningOptions { InitialLabels = 10, BatchSize = 15, MaxLabels = 40, StepsPerRound = 12 }) { Progress = counter };
        loop.Run(new MarginStrategy(), pool, pool, new DatasetOracle(pool), seed: 1);
        Assert.Equal(new Dictionary<string, int> { ["margin-seed1-10"] = 12, ["margin-seed1-25"] = 12, ["margin-seed1-40"] = 12 }, counter.BatchesPerRound);
    }

    private sealed class SkippingOracle(Feynman.Data.IDataset data) : IOracle
    {
        public string Name => "skips odd items";
        public int Asked { get; private set; }

        public ValueTask<IReadOnlyList<OracleLabel>> RequestLabelsAsync(IReadOnlyList<int> items, CancellationToken cancellationToken = default)
        {
            Asked += items.Count;
            return ValueTask.FromResult<IReadOnlyList<OracleLabel>>(
                [.. items.Where(i => i % 2 == 0).Select(i => new OracleLabel(i, data.GetLabel(i), 2, "person"))]);
        }
    }

    [Fact]
    public void LoopKeepsOnlyTheLabelsTheOracleGives()
    {
        var pool = Training.SyntheticData.Blobs(200, features: 6, classes: 3, seed: 2, sampleSeed: 1);
        var oracle = new SkippingOracle(pool);
        var curve = Loop(20, 20, 60).Run(new EntropyStrategy(), pool, pool, oracle, seed: 1);
        // Every answer is counted at its cost; only even items are labelled.
        Assert.All(curve.Points, p => Assert.Equal(2 * p.Labels, p.Cost));
        Assert.True(curve.Points.Count >= 2);
        Assert.True(curve.Points[^1].Labels > curve.Points[0].Labels);
        Assert.True(oracle.Asked > curve.Points[^1].Labels);
    }

    [Fact]
    public void ImpossibleSchedulesAreRejected()
    {
        var pool = Training.SyntheticData.Blobs(30, features: 6, classes: 3);
        var ex = Assert.Throws<ArgumentException>(() => Loop(10, 5, 40).Run(new RandomStrategy(), pool, pool, new DatasetOracle(pool), 1));
        Assert.Contains("exceeds the pool of 30", ex.Message);
        Assert.Throws<ArgumentException>(() => Loop(20, 5, 10).Run(new RandomStrategy(), pool, pool, new DatasetOracle(pool), 1));
    }
}
