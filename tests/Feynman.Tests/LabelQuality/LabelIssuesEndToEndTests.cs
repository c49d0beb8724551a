using Feynman.Data;
using Feynman.Nn;
using Feynman.Paradigms.LabelQuality;
using Feynman.Training;

namespace Feynman.Tests.LabelQuality;

public class LabelIssuesEndToEndTests
{
    [Fact]
    public void ClassConditionalFlipsHitTheRateExactly()
    {
        var labels = Enumerable.Range(0, 400).Select(i => i % 4).ToArray();
        var noisy = LabelNoise.FlipClassConditional(labels, 4, 0.3, seed: 7);
        for (int c = 0; c < 4; c++)
            Assert.Equal(30, Enumerable.Range(0, 400).Count(i => labels[i] == c && noisy[i] != c));
        Assert.Equal(noisy, LabelNoise.FlipClassConditional(labels, 4, 0.3, seed: 7));
        Assert.NotEqual(noisy, LabelNoise.FlipClassConditional(labels, 4, 0.3, seed: 8));
        Assert.All(noisy, l => Assert.InRange(l, 0, 3));
    }

    [Fact]
    public void FoldsAreStratifiedAndCoverEverySample()
    {
        var data = Training.SyntheticData.Blobs(90, classes: 3, seed: 2);
        var folds = OutOfFold.Folds(data, 3, seed: 1);
        for (int k = 0; k < 3; k++)
            for (int c = 0; c < 3; c++)
            {
                int inClass = Enumerable.Range(0, 90).Count(i => data.GetLabel(i) == c);
                int inFold = Enumerable.Range(0, 90).Count(i => data.GetLabel(i) == c && folds[i] == k);
                Assert.InRange(inFold, inClass / 3, inClass / 3 + 1);
            }
    }

    [Fact]
    public void ConfidentLearningFindsThirtyPercentFlippedLabelsOnBlobs()
    {
        const int classes = 4;
        var clean = Training.SyntheticData.Blobs(800, features: 8, classes: classes, seed: 11, spread: 0.7f);
        var truth = Enumerable.Range(0, clean.Count).Select(clean.GetLabel).ToArray();
        var noisyLabels = LabelNoise.FlipClassConditional(truth, classes, 0.3, seed: 3);
        var noisy = new Relabelled(clean, [.. Enumerable.Range(0, clean.Count)], noisyLabels);

        var training = new TrainingOptions { Epochs = 12, BatchSize = 32, Optimizer = "adam", LearningRate = 3e-3, WeightDecay = 0, Schedule = "constant" };
        var probs = OutOfFold.Probabilities(rng => new Sequential(new Linear(8, 32, rng: rng), new ReLU(), new Linear(32, classes, rng: rng)),
                                            training, noisy, folds: 4, seed: 5);
        var report = ConfidentLearning.FindLabelIssues(probs, classes, noisyLabels);

        var flipped = Enumerable.Range(0, truth.Length).Where(i => truth[i] != noisyLabels[i]).ToHashSet();
        var found = report.Issues.Select(i => i.Index).ToHashSet();
        double precision = (double)found.Count(flipped.Contains) / found.Count;
        double recall = (double)flipped.Count(found.Contains) / flipped.Count;
        Assert.True(precision >= 0.8 && recall >= 0.8, $"precision {precision:P1}, recall {recall:P1}, {found.Count} flagged of {flipped.Count} flipped");
        Assert.InRange(report.EstimatedNoiseRate, 0.2, 0.4);
        // The suggestion for a flipped sample is mostly its true label.
        double suggestedRight = report.Issues.Where(i => flipped.Contains(i.Index)).Average(i => i.SuggestedLabel == truth[i.Index] ? 1.0 : 0.0);
        Assert.True(suggestedRight > 0.8, $"only {suggestedRight:P1} of the suggestions are the true label");
    }
}
