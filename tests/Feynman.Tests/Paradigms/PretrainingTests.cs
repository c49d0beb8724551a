using Feynman.Data;
using Feynman.Nn;
using Feynman.Paradigms;
using Feynman.Serialization;
using Feynman.Tensors;
using Feynman.Training;

namespace Feynman.Tests.Paradigms;

public class PretrainingTests
{
    /// <summary>Tiny 1×8×8 "images": a bright bar in one of 4 rows per class, pixels in [0, 1].</summary>
    private static ImageDataset Bars(int count, ulong seed)
    {
        var rng = new Generator(seed);
        var x = new float[count * 64];
        var y = new int[count];
        for (int i = 0; i < count; i++)
        {
            int c = rng.NextInt(4);
            y[i] = c;
            for (int p = 0; p < 64; p++) x[i * 64 + p] = 0.1f * rng.NextFloat();
            for (int col = 0; col < 8; col++) x[i * 64 + (2 * c) * 8 + col] = 0.8f + 0.2f * rng.NextFloat();
        }
        return new ImageDataset($"bars-{seed}", x, y, [1, 8, 8], ["a", "b", "c", "d"]);
    }

    private static Sequential Classifier(Generator rng) => new(
        new Conv2d(1, 4, 3, padding: 1, rng: rng), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(64, 4, rng: rng));

    [Fact]
    public void DenoisingReconstructionLossFalls()
    {
        var data = Bars(128, 1);
        var rng = new Generator(2);
        var model = Classifier(rng);
        var trunk = TransferLearning.Trunk(model, 3);
        int features = DenoisingPretraining.OutputFeatures(trunk, data.SampleShape);
        Assert.Equal(64, features);
        var decoder = DenoisingPretraining.Decoder(features, data.SampleSize, rng);
        var losses = new DenoisingPretraining(0.2f, new TrainingOptions { Epochs = 8, BatchSize = 32, Optimizer = "adam", LearningRate = 0.01, Seed = 3 })
            .Fit(trunk, decoder, data);
        Assert.Equal(8, losses.Count);
        Assert.True(losses[^1] < 0.5 * losses[0], $"reconstruction loss {string.Join(", ", losses.Select(l => l.ToString("F4")))}");
    }

    [Fact]
    public void ContrastiveLossFallsAndTheTrunkSeparatesTheClassesBetterThanAtInitialisation()
    {
        var data = Bars(256, 7);
        var model = Classifier(new Generator(8));
        var trunk = TransferLearning.Trunk(model, 3);
        double before = NearestCentroidAccuracy(trunk, data);
        var head = ContrastivePretraining.ProjectionHead(64, 32, 16, new Generator(9));
        var losses = new ContrastivePretraining(0.5f, [new RandomCrop(1)], new TrainingOptions { Epochs = 6, BatchSize = 64, Optimizer = "adam", LearningRate = 0.01, Seed = 3 })
            .Fit(trunk, head, data);
        Assert.Equal(6, losses.Count);
        // Bars of one class differ only by noise, so views of two samples of a class stay hard to tell apart: the loss cannot fall far.
        Assert.True(losses[^1] < 0.95 * losses[0], $"NT-Xent {string.Join(", ", losses.Select(l => l.ToString("F4")))}");
        double after = NearestCentroidAccuracy(trunk, data);
        Assert.True(after >= before && after > 0.9, $"nearest-centroid accuracy of the trunk's features: {before:P1} before, {after:P1} after");
    }

    /// <summary>Accuracy of the nearest class mean of the trunk's (normalised) features, on the data it was fitted to.</summary>
    private static double NearestCentroidAccuracy(Module trunk, ImageDataset data)
    {
        using var scope = TensorScope.Begin();
        using var _ = Feynman.Autograd.GradMode.NoGrad();
        var x = new float[data.Count * data.SampleSize];
        for (int i = 0; i < data.Count; i++) data.CopyInput(i, x.AsSpan(i * data.SampleSize, data.SampleSize));
        var f = trunk.Forward(Tensor.From(x, [data.Count, .. data.SampleShape])).Contiguous().ToArray();
        int d = f.Length / data.Count, classes = data.ClassNames.Count;
        for (int i = 0; i < data.Count; i++)
        {
            var row = f.AsSpan(i * d, d);
            float norm = MathF.Max(System.Numerics.Tensors.TensorPrimitives.Norm(row), 1e-12f);
            System.Numerics.Tensors.TensorPrimitives.Divide(row, norm, row);
        }
        var centroids = new float[classes * d];
        var counts = new int[classes];
        for (int i = 0; i < data.Count; i++)
        {
            int c = data.GetLabel(i);
            counts[c]++;
            System.Numerics.Tensors.TensorPrimitives.Add(centroids.AsSpan(c * d, d), f.AsSpan(i * d, d), centroids.AsSpan(c * d, d));
        }
        int right = 0;
        for (int i = 0; i < data.Count; i++)
        {
            int best = 0;
            double bestDistance = double.PositiveInfinity;
            for (int c = 0; c < classes; c++)
            {
                if (counts[c] == 0) continue;
                double distance = 0;
                for (int j = 0; j < d; j++) { double diff = f[i * d + j] - centroids[c * d + j] / counts[c]; distance += diff * diff; }
                if (distance < bestDistance) (best, bestDistance) = (c, distance);
            }
            if (best == data.GetLabel(i)) right++;
        }
        return (double)right / data.Count;
    }

    [Fact]
    public void FrozenTrunkFeaturesAreTheTrunksOutputForEverySampleInOrder()
    {
        var data = Bars(300, 10);
        var trunk = TransferLearning.Trunk(Classifier(new Generator(11)), 3);
        var features = TransferLearning.Features(trunk, data, batchSize: 128);
        Assert.Equal(new[] { 4, 4, 4 }, features.SampleShape);
        Assert.Equal(data.Count, features.Count);
        using var scope = TensorScope.Begin();
        using var _ = Feynman.Autograd.GradMode.NoGrad();
        foreach (int i in new[] { 0, 127, 128, 299 })
        {
            var x = new float[data.SampleSize];
            data.CopyInput(i, x);
            var expected = trunk.Forward(Tensor.From(x, [1, .. data.SampleShape])).ToArray();
            var actual = new float[features.SampleSize];
            features.CopyInput(i, actual);
            Assert.Equal(expected, actual);
            Assert.Equal(data.GetLabel(i), features.GetLabel(i));
        }
    }

    [Fact]
    public void TrunkWeightsLoadIntoTheFullModelAndAFrozenTrunkStaysPutDuringALinearProbeStep()
    {
        var data = Bars(64, 4);
        var pretrained = Classifier(new Generator(5));
        var path = Path.Combine(Path.GetTempPath(), $"feynman-trunk-{Environment.ProcessId}.safetensors");
        try
        {
            TransferLearning.Trunk(pretrained, 3).Save(path);
            var model = Classifier(new Generator(6));
            model.Load(path, strict: false);
            Assert.Equal(pretrained[0].Parameters().First().ToArray(), model[0].Parameters().First().ToArray());

            TransferLearning.Freeze(model, 3);
            var trunkBefore = model[0].Parameters().Select(p => p.ToArray()).ToList();
            var headBefore = model[4].Parameters().Select(p => p.ToArray()).ToList();
            new Trainer(new TrainingOptions { Epochs = 1, BatchSize = 64, LearningRate = 0.1, WeightDecay = 1e-2, Schedule = "constant" })
                .Fit("probe", model, new SupervisedLesson(), data);
            var trunkAfter = model[0].Parameters().Select(p => p.ToArray()).ToList();
            var headAfter = model[4].Parameters().Select(p => p.ToArray()).ToList();
            for (int i = 0; i < trunkBefore.Count; i++) Assert.Equal(trunkBefore[i], trunkAfter[i]);
            Assert.NotEqual(headBefore[0], headAfter[0]);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
