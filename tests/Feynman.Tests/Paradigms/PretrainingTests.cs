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
