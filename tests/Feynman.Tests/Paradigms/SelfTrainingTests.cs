using Feynman.Data;
using Feynman.Nn;
using Feynman.Paradigms;
using Feynman.Tensors;
using Feynman.Tests.Training;
using Feynman.Training;

namespace Feynman.Tests.Paradigms;

public class SelfTrainingTests
{
    [Fact]
    public void SelectionKeepsConfidentPredictionsWithTheirArgmax()
    {
        float[] p =
        [
            0.95f, 0.03f, 0.02f, // 0: class 0, confident
            0.40f, 0.50f, 0.10f, // 1: class 1, not confident
            0.05f, 0.91f, 0.04f, // 2: class 1, confident
            0.01f, 0.01f, 0.98f, // 3: class 2, confident
            0.92f, 0.04f, 0.04f, // 4: class 0, confident
        ];
        var (idx, labels) = PseudoLabeler.Select(p, 3, 0.9f, balance: false);
        Assert.Equal([0, 2, 3, 4], idx);
        Assert.Equal([0, 1, 2, 0], labels);
        // Balanced: counts 2, 1, 1, K = 1: each class keeps its most confident one.
        (idx, labels) = PseudoLabeler.Select(p, 3, 0.9f, balance: true);
        Assert.Equal([0, 2, 3], idx);
        Assert.Equal([0, 1, 2], labels);
        // A cap without balance limits each class alone.
        (idx, _) = PseudoLabeler.Select(p, 3, 0.0f, balance: false, maxPerClass: 1);
        Assert.Equal([0, 2, 3], idx); // each class's most confident: 0 (0.95), 2 (0.91), 3 (0.98)
        // Balanced with K = 2: class 0 has two, classes 1 and 2 repeat their one sample.
        (idx, labels) = PseudoLabeler.Select(p, 3, 0.9f, balance: true, maxPerClass: 2);
        Assert.Equal([0, 2, 2, 3, 3, 4], idx);
        Assert.Equal([0, 1, 1, 2, 2, 0], labels);
        Assert.Equal([2, 1, 1], PseudoLabeler.ConfidentCounts(p, 3, 0.9f));
        Assert.Equal([2, 2, 1], PseudoLabeler.ConfidentCounts(p, 3, 0.5f));
    }

    [Fact]
    public void BalancedSelectionKeepsThePoolWhenOneClassHasNoConfidentPrediction()
    {
        // Class 2 is never predicted with confidence: before, the balanced count became 0 and nothing passed.
        float[] p =
        [
            0.95f, 0.03f, 0.02f, // 0: class 0
            0.93f, 0.05f, 0.02f, // 1: class 0
            0.91f, 0.05f, 0.04f, // 2: class 0
            0.05f, 0.94f, 0.01f, // 3: class 1
            0.02f, 0.92f, 0.06f, // 4: class 1
            0.30f, 0.20f, 0.50f, // 5: class 2, not confident
        ];
        var (idx, labels) = PseudoLabeler.Select(p, 3, 0.9f, balance: true);
        // Non-empty counts 3 and 2: K is the smaller, 2; class 0 keeps its two most confident.
        Assert.Equal([0, 1, 3, 4], idx);
        Assert.Equal([0, 0, 1, 1], labels);
        Assert.Equal(0, PseudoLabeler.BalancedCap([0, 0, 0]));
        Assert.Equal(2, PseudoLabeler.BalancedCap([9, 0, 2, 5]));
        // Noisy Student's K = 3: class 1 repeats its most confident sample (3: 0.94).
        (idx, labels) = PseudoLabeler.Select(p, 3, 0.9f, balance: true, maxPerClass: 3);
        Assert.Equal([0, 1, 2, 3, 3, 4], idx);
        Assert.Equal([0, 0, 0, 1, 1, 1], labels);
        // Nothing confident at all: nothing passes (the caller warns).
        (idx, _) = PseudoLabeler.Select(p, 3, 0.99f, balance: true);
        Assert.Empty(idx);
        // Two very confident class-0 samples and one confident class-2 sample: counts 5, 2, 1. With K = 2, class 0
        // keeps its two most confident (6: 0.99, 7: 0.97) and class 2 repeats 8; without a K, K = 1.
        float[] q = [.. p, 0.99f, 0.005f, 0.005f, 0.97f, 0.02f, 0.01f, 0.02f, 0.02f, 0.96f];
        (idx, labels) = PseudoLabeler.Select(q, 3, 0.9f, balance: true, maxPerClass: 2);
        Assert.Equal([3, 4, 6, 7, 8, 8], idx);
        Assert.Equal([1, 1, 0, 0, 2, 2], labels);
        (idx, _) = PseudoLabeler.Select(q, 3, 0.9f, balance: true);
        Assert.Equal([3, 6, 8], idx);
    }

    [Fact]
    public void PseudoLabelledDatasetAppendsPoolSamplesWithTheirPseudoLabels()
    {
        var labelled = SyntheticData.Blobs(4, seed: 1);
        var pool = SyntheticData.Blobs(10, seed: 1, sampleSeed: 5);
        var d = new PseudoLabelledDataset(labelled, pool, [3, 7], [2, 0]);
        Assert.Equal(6, d.Count);
        Assert.Equal(labelled.GetLabel(1), d.GetLabel(1));
        Assert.Equal(2, d.GetLabel(4));
        Assert.Equal(0, d.GetLabel(5));
        var a = new float[8];
        var b = new float[8];
        d.CopyInput(5, a);
        pool.CopyInput(7, b);
        Assert.Equal(b, a);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PseudoLabelledDataset(labelled, pool, [10], [0]));
    }

    [Fact]
    public void PseudoLabelledDatasetRepeatsTheLabelledSetBeforeThePool()
    {
        var labelled = SyntheticData.Blobs(4, seed: 1);
        var pool = SyntheticData.Blobs(10, seed: 1, sampleSeed: 5);
        var d = new PseudoLabelledDataset(labelled, pool, [3, 7], [2, 0], labelledCopies: 3);
        Assert.Equal(3 * 4 + 2, d.Count);
        var a = new float[8];
        var b = new float[8];
        for (int copy = 0; copy < 3; copy++)
            for (int i = 0; i < 4; i++)
            {
                Assert.Equal(labelled.GetLabel(i), d.GetLabel(copy * 4 + i));
                d.CopyInput(copy * 4 + i, a);
                labelled.CopyInput(i, b);
                Assert.Equal(b, a);
            }
        Assert.Equal(2, d.GetLabel(12));
        Assert.Equal(0, d.GetLabel(13));
        d.CopyInput(13, a);
        pool.CopyInput(7, b);
        Assert.Equal(b, a);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PseudoLabelledDataset(labelled, pool, [3], [0], labelledCopies: 0));
    }

    private static Module Mlp(Generator rng, float dropout) => new Sequential(
        new Linear(8, 32, rng: rng), new ReLU(), new Dropout(dropout, rng), new Linear(32, 3, rng: rng));

    [Fact]
    public void SelfTrainingBeatsLabelsAloneWithFewLabelsAndKeepsRoundBookkeeping()
    {
        const float spread = 1.2f;
        var labelled = SyntheticData.Blobs(9, seed: 3, spread: spread, sampleSeed: 1);
        var pool = SyntheticData.Blobs(600, seed: 3, spread: spread, sampleSeed: 2);
        var test = SyntheticData.Blobs(600, seed: 3, spread: spread, sampleSeed: 3);
        var teacherOptions = new TrainingOptions { Epochs = 60, BatchSize = 9, LearningRate = 0.05, Schedule = "constant", Seed = 1 };
        var studentOptions = new TrainingOptions { Epochs = 8, BatchSize = 32, LearningRate = 0.05, Schedule = "constant", Seed = 1 };
        var st = new SelfTraining(new SelfTrainingOptions { Rounds = 3, Threshold = 0.9f, Balance = true }, teacherOptions, studentOptions);
        var seen = new List<int>();
        var result = st.Run((r, rng) => Mlp(rng, r == 0 ? 0f : 0.3f), labelled, pool, null, test, seed: 4, onRound: (round, _) => seen.Add(round.Round));

        Assert.Equal([0, 1, 2, 3], seen);
        Assert.Equal(4, result.Rounds.Count);
        Assert.Equal(0, result.Rounds[0].PseudoLabels);
        Assert.All(result.Rounds.Skip(1), r => Assert.InRange(r.PseudoLabels, 3, 600));
        Assert.All(result.Rounds.Skip(1), r => Assert.Empty(r.ClassesWithoutPseudoLabels));
        Assert.All(result.Rounds.Skip(1), r => Assert.Equal(0, r.PseudoLabels % 3)); // balanced: K per class
        Assert.All(result.Rounds.Skip(1), r => Assert.Equal(3, r.ConfidentPerClass.Count));
        Assert.All(result.Rounds.Skip(1), r => Assert.InRange(r.DistinctPseudoLabelled, 1, r.PseudoLabels));
        string table = string.Join("; ", result.Rounds.Select(r => $"round {r.Round}: {r.PseudoLabels} pseudo ({r.PseudoLabelAccuracy:P1}), test {r.TestAccuracy:P1}"));
        Assert.True(result.FinalAccuracy > result.LabelsOnlyAccuracy + 0.02, table);
    }
}
