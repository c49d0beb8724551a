using Feynman.Data;
using Feynman.Nn;
using Feynman.Paradigms;
using Feynman.Tensors;
using Feynman.Training;

namespace Feynman.Tests.Training;

public class TrainerTests
{
    private static Sequential Mlp(ulong seed, int hidden = 16)
    {
        var rng = new Generator(seed);
        return new Sequential(new Linear(8, hidden, rng: rng), new ReLU(), new Linear(hidden, 3, rng: rng));
    }

    private static TrainingOptions Options(string? dir = null) => new()
    {
        Epochs = 4, BatchSize = 32, LearningRate = 0.05, Momentum = 0.9, WeightDecay = 1e-4, Schedule = "cosine",
        Seed = 7, CheckpointDirectory = dir, Resume = dir != null,
    };

    [Fact]
    public void LearnsSeparableBlobs()
    {
        var train = SyntheticData.Blobs(600, seed: 1);
        var test = SyntheticData.Blobs(300, seed: 1, sampleSeed: 1);
        var model = Mlp(3);
        var before = Evaluator.Evaluate(model, test).Accuracy;
        var result = new Trainer(Options()).Fit("mlp", model, new SupervisedLesson(), train, test);
        var after = Evaluator.Evaluate(model, test);
        Assert.Equal(4, result.History.Count);
        Assert.True(result.History[^1].TrainLoss < result.History[0].TrainLoss, "training loss did not fall");
        Assert.True(after.Accuracy > 0.9 && after.Accuracy > before, $"accuracy {before} -> {after.Accuracy}");
        Assert.Equal(after.Accuracy, result.History[^1].ValidationAccuracy, 6);
    }

    [Fact]
    public void SameSeedSameNumbers()
    {
        var train = SyntheticData.Blobs(300, seed: 2);
        var a = Mlp(5);
        var b = Mlp(5);
        var ra = new Trainer(Options()).Fit("a", a, new SupervisedLesson(), train);
        var rb = new Trainer(Options()).Fit("b", b, new SupervisedLesson(), train);
        Assert.Equal(ra.History.Select(h => h.TrainLoss), rb.History.Select(h => h.TrainLoss));
        Assert.Equal(a.Parameters().SelectMany(p => p.ToArray()), b.Parameters().SelectMany(p => p.ToArray()));
    }

    [Fact]
    public void KilledRunResumesToTheSameFinalNumbers()
    {
        var train = SyntheticData.Blobs(320, seed: 3);
        var val = SyntheticData.Blobs(100, seed: 3, sampleSeed: 1);
        var reference = Mlp(9);
        var full = new Trainer(Options()).Fit("full", reference, new SupervisedLesson(), train, val);

        var dir = Path.Combine(Path.GetTempPath(), "feynman-resume-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var cts = new CancellationTokenSource();
            var interruptedModel = Mlp(9);
            var stopper = new CancelAfter(new SupervisedLesson(), 17, cts); // mid-epoch 2 (10 batches per epoch)
            var first = new Trainer(Options(dir)).Fit("resumed", interruptedModel, stopper, train, val, cancellationToken: cts.Token);
            Assert.True(first.Interrupted);
            Assert.True(File.Exists(Path.Combine(dir, "checkpoint.safetensors")));

            // A new process would build a fresh model; its weights come from the checkpoint.
            var resumedModel = Mlp(1234);
            var second = new Trainer(Options(dir)).Fit("resumed", resumedModel, new SupervisedLesson(), train, val);
            Assert.False(second.Interrupted);
            Assert.Equal(full.History.Select(h => h.TrainLoss), second.History.Select(h => h.TrainLoss));
            Assert.Equal(full.History.Select(h => h.ValidationAccuracy), second.History.Select(h => h.ValidationAccuracy));
            Assert.Equal(reference.Parameters().SelectMany(p => p.ToArray()), resumedModel.Parameters().SelectMany(p => p.ToArray()));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void DivergenceIsReportedWithWhere()
    {
        var train = SyntheticData.Blobs(64, seed: 5);
        var model = Mlp(1);
        var ex = Assert.Throws<TrainingDivergedException>(() =>
            new Trainer(Options() with { LearningRate = 1e30, Momentum = 0 }).Fit("m", model, new SupervisedLesson(), train));
        Assert.Contains("epoch", ex.Message);
    }

    [Fact]
    public void EarlyStoppingRestoresTheBestWeights()
    {
        var train = SyntheticData.Blobs(200, seed: 6, spread: 2.5f);
        var val = SyntheticData.Blobs(100, seed: 6, spread: 2.5f, sampleSeed: 1);
        var model = Mlp(2, hidden: 64);
        var result = new Trainer(Options() with { Epochs = 30, LearningRate = 0.2, Schedule = "none", WeightDecay = 0, EarlyStoppingPatience = 2 })
            .Fit("m", model, new SupervisedLesson(), train, val);
        var best = result.History.MinBy(h => h.ValidationLoss)!;
        Assert.Equal(best.Epoch, result.BestEpoch);
        Assert.Equal(best.ValidationLoss, Evaluator.Evaluate(model, val).Loss, 5);
        if (result.StoppedEarly) Assert.True(result.History.Count < 30);
    }

    private sealed class CancelAfter(ILesson inner, int batches, CancellationTokenSource cts) : ILesson
    {
        private int calls;

        public string Name => inner.Name;

        public Tensor Loss(Tensor studentLogits, Batch batch)
        {
            if (++calls == batches) cts.Cancel();
            return inner.Loss(studentLogits, batch);
        }
    }
}
