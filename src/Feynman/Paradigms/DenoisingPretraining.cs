using Feynman.Autograd;
using Feynman.Data;
using Feynman.Nn;
using Feynman.Optim;
using Feynman.Tensors;
using Feynman.Training;

namespace Feynman.Paradigms;

/// <summary>
/// Self-supervised pre-training of a trunk as a denoising autoencoder (Vincent et al. 2008): Gaussian
/// noise of standard deviation <see cref="NoiseStd"/> is added to each image, the trunk encodes it, a
/// small decoder reconstructs the clean image, and both learn from the mean squared error. Labels are
/// never read. Afterwards only the trunk is kept (<c>trunk.Save(path)</c>) and reused by a classifier.
/// </summary>
public sealed class DenoisingPretraining(float noiseStd, TrainingOptions options)
{
    public float NoiseStd { get; } = noiseStd >= 0 ? noiseStd : throw new ArgumentOutOfRangeException(nameof(noiseStd), $"noise std {noiseStd} must be >= 0.");

    public TrainingOptions Options { get; } = options;

    /// <summary>Features in the trunk's output for one sample of <paramref name="sampleShape"/>.</summary>
    public static int OutputFeatures(Module trunk, IReadOnlyList<int> sampleShape)
    {
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        bool wasTraining = trunk.IsTraining;
        trunk.Eval();
        try { return trunk.Forward(Tensor.Zeros([1, .. sampleShape])).Count; }
        finally { trunk.Train(wasTraining); }
    }

    /// <summary>The decoder: flatten, one linear layer to the image's size, sigmoid (pixels lie in [0, 1]).</summary>
    public static Sequential Decoder(int trunkFeatures, int sampleSize, Generator rng) =>
        new(new Flatten(), new Linear(trunkFeatures, sampleSize, rng: rng), new Sigmoid());

    /// <summary>Trains trunk and decoder; returns the mean reconstruction loss of every epoch.</summary>
    public IReadOnlyList<double> Fit(Module trunk, Module decoder, IDataset data,
                                     IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var o = Options;
        var parameters = trunk.Parameters().Concat(decoder.Parameters()).ToList();
        Optimizer optimizer = o.CreateOptimizer(parameters);
        using var loader = new DataLoader(data, o.BatchSize, shuffle: true, seed: o.Seed);
        var noiseRng = new Generator(o.Seed * 31 + 7);
        var losses = new List<double>();
        trunk.Train();
        decoder.Train();
        for (int epoch = 0; epoch < o.Epochs && !cancellationToken.IsCancellationRequested; epoch++)
        {
            double sum = 0;
            long seen = 0;
            foreach (var batch in loader.Epoch(epoch))
            {
                if (cancellationToken.IsCancellationRequested) break;
                using var scope = TensorScope.Begin();
                var clean = batch.Inputs;
                var noisy = Tensor.From(clean.Contiguous().ReadOnlySpan, clean.Shape);
                if (NoiseStd > 0)
                {
                    var s = noisy.Span;
                    for (int i = 0; i < s.Length; i++) s[i] += NoiseStd * noiseRng.NextNormal();
                }
                var reconstruction = decoder.Forward(trunk.Forward(noisy));
                var loss = Ops.MseLoss(Ops.Reshape(reconstruction, clean.Shape), clean);
                float value = loss.Item();
                if (!float.IsFinite(value)) throw new TrainingDivergedException($"denoising pre-training: the loss is {value} at epoch {epoch + 1}; lower the learning rate.");
                loss.Backward();
                optimizer.Step();
                optimizer.ZeroGrad();
                sum += (double)value * batch.Size;
                seen += batch.Size;
                if (progress != null && (batch.Index % 10 == 9 || batch.Index == loader.BatchesPerEpoch - 1))
                    progress.Report(new TrainingProgress("pretrain", epoch, o.Epochs, batch.Index + 1, loader.BatchesPerEpoch, 0, sum / seen, false));
            }
            if (seen > 0) losses.Add(sum / seen);
        }
        return losses;
    }
}
