using Feynman.Data;
using Feynman.Experiments;
using Feynman.Nn;
using Feynman.Paradigms.ActiveLearning;
using Feynman.Tensors;
using Feynman.Training;
using Feynman.Training.Recipes;

namespace Feynman.Tests.ActiveLearning;

/// <summary>Running (strategy, seed) jobs at once (the recipe's <c>parallel</c>) gives the curves a sequential run gives.</summary>
public class ActiveLearningParallelTests
{
    static ActiveLearningParallelTests()
    {
        DataSources.Register("test-al-parallel:train", _ => Training.SyntheticData.Blobs(500, features: 8, classes: 4, seed: 31, spread: 1.0f, sampleSeed: 1));
        DataSources.Register("test-al-parallel:test", _ => Training.SyntheticData.Blobs(1200, features: 8, classes: 4, seed: 31, spread: 1.0f, sampleSeed: 2));
    }

    // Hidden layers of 256 so products pass the size at which kernels split across threads.
    private static string Recipe(int parallel) =>
        "paradigm: active-learning\nseed: 2\n" +
        "data: {train: test-al-parallel:train, test: test-al-parallel:test, validation: 0}\n" +
        "training: {epochs: 3, batch_size: 32, optimizer: {name: adam, lr: 3.0e-3, weight_decay: 0}, schedule: constant}\n" +
        $"active_learning: {{initial: 20, batch: 20, max_labels: 60, strategies: [random, margin, bald, margin-clusters], seeds: [1, 2], warm_start: true, steps: 8, pool_subsample: 200, mc_passes: 3, parallel: {parallel}}}\n" +
        "student: {name: mlp, model: {input: [8], layers: [{linear: 256}, relu, {dropout: 0.2}, {linear: 256}, relu, {linear: 4}]}}\n";

    private static string RunCurves(int parallel)
    {
        var dir = Path.Combine(Path.GetTempPath(), "feynman-al-parallel-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var result = new ExperimentRunner(new ExperimentSettings { OutputDirectory = dir }).Run(RecipeParser.Parse(Recipe(parallel)));
            Assert.Equal(["random", "margin", "bald", "margin-clusters"], result.Models.Select(m => m.Name));
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, ActiveLearningExperiment.CurvesFile)));
            return json.RootElement.GetProperty("curves").GetRawText();
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ParallelRunsGiveTheSequentialCurvesInTheSameOrder()
    {
        var sequential = RunCurves(1);
        Assert.Equal(sequential, RunCurves(2));
        Assert.Equal(sequential, RunCurves(3));
        // 4 strategies x 2 seeds, strategy-major as the recipe lists them.
        using var doc = System.Text.Json.JsonDocument.Parse(sequential);
        var order = doc.RootElement.EnumerateArray().Select(c => $"{c.GetProperty("strategy").GetString()}/{c.GetProperty("seed").GetUInt64()}").ToList();
        Assert.Equal(["random/1", "random/2", "margin/1", "margin/2", "bald/1", "bald/2", "margin-clusters/1", "margin-clusters/2"], order);
    }

    [Fact]
    public void ParallelJobsTrainBitIdenticalStudents()
    {
        var pool = Training.SyntheticData.Blobs(400, features: 8, classes: 3, seed: 5, spread: 1.2f, sampleSeed: 1);
        var test = Training.SyntheticData.Blobs(300, features: 8, classes: 3, seed: 5, spread: 1.2f, sampleSeed: 2);
        var oracle = new DatasetOracle(pool);
        IQueryStrategy[] strategies = [new MarginStrategy(), new BaldStrategy(3), new MarginStrategy(), new BaldStrategy(3)];
        float[][] Train(int parallel)
        {
            var weights = new float[strategies.Length][];
            ActiveLearningExperiment.RunJobs(strategies.Length, parallel, i =>
            {
                var loop = new ActiveLearningLoop(
                    rng => new Sequential(new Linear(8, 256, rng: rng), new ReLU(), new Dropout(0.2, rng), new Linear(256, 256, rng: rng), new ReLU(), new Linear(256, 3, rng: rng)),
                    new TrainingOptions { Epochs = 2, BatchSize = 64, LearningRate = 0.05, Schedule = "constant", WeightDecay = 0 },
                    new ActiveLearningOptions { InitialLabels = 64, BatchSize = 64, MaxLabels = 192, WarmStart = true });
                var curve = loop.Run(strategies[i], pool, test, oracle, seed: (ulong)(i + 1));
                weights[i] = [.. loop.LastStudent!.Parameters().SelectMany(p => p.ToArray())];
                return curve;
            });
            return weights;
        }
        var one = Train(1);
        var two = Train(2);
        for (int i = 0; i < one.Length; i++) Assert.Equal(one[i], two[i]);
        // Different seeds train different students: the comparison can fail.
        Assert.NotEqual(one[0], one[2]);
    }

    [Fact]
    public void AFailingJobStopsTheOthersAndIsRethrown()
    {
        int started = 0;
        var ex = Assert.Throws<InvalidOperationException>(() => ActiveLearningExperiment.RunJobs(50, 2, i =>
        {
            Interlocked.Increment(ref started);
            if (i == 1) throw new InvalidOperationException("job 1 failed");
            Thread.Sleep(5);
            return new ActiveLearningCurve("random", (ulong)i, []);
        }));
        Assert.Equal("job 1 failed", ex.Message);
        Assert.True(started < 50, $"{started} jobs started after the failure");
    }

    [Fact]
    public void AnInterruptedJobStopsNewOnesAndTheRestStayNull()
    {
        foreach (int parallel in new[] { 1, 2 })
        {
            var results = ActiveLearningExperiment.RunJobs(40, parallel, i =>
            {
                Thread.Sleep(2);
                return new ActiveLearningCurve("random", (ulong)i, []) { Interrupted = i == 3 };
            });
            Assert.True(results[3]!.Interrupted);
            Assert.All(results[..3], r => Assert.NotNull(r));
            // Only jobs already running when job 3 stopped may have finished.
            Assert.True(results.Count(r => r is not null) <= 3 + parallel, $"parallel {parallel}: {results.Count(r => r is not null)} finished");
        }
    }

    [Fact]
    public void ParallelKeyIsParsedAndChecked()
    {
        const string model = "student: {model: {input: [4], layers: [{linear: 2}]}}\n";
        Assert.Equal(2, RecipeParser.Parse("paradigm: active-learning\nactive_learning: {parallel: 2}\n" + model)
            .Section<ActiveLearningSpec>(ActiveLearningSpec.SectionKey)!.Parallel);
        Assert.Equal(1, RecipeParser.Parse("paradigm: active-learning\nactive_learning: {}\n" + model)
            .Section<ActiveLearningSpec>(ActiveLearningSpec.SectionKey)!.Parallel);
        Assert.Throws<RecipeException>(() => RecipeParser.Parse("paradigm: active-learning\nactive_learning: {parallel: 0}\n" + model));
    }
}
