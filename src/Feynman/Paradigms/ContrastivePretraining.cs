using Feynman.Autograd;
using Feynman.Data;
using Feynman.Nn;
using Feynman.Optim;
using Feynman.Tensors;
using Feynman.Training;

namespace Feynman.Paradigms;

/// <summary>
/// Self-supervised pre-training of a trunk by contrast (SimCLR, Chen et al. 2020): each image of a batch
/// is augmented twice by <see cref="Augmentations"/>, trunk and a projection head map the 2N views to
/// vectors, and the NT-Xent loss at <see cref="Temperature"/> pulls each view towards its partner and away
/// from the other 2N − 2. Labels are never read. Afterwards only the trunk is kept; its features are the
/// ones that survive the augmentations, which is what a linear probe (or a weak-to-strong student) wants.
/// </summary>
public sealed class ContrastivePretraining(float temperature, IReadOnlyList<ITransform> augmentations, TrainingOptions options)
{
    public float Temperature { get; } = temperature > 0 ? temperature : throw new ArgumentOutOfRangeException(nameof(temperature), $"temperature {temperature} must be > 0.");

    public IReadOnlyList<ITransform> Augmentations { get; } = augmentations;

    public TrainingOptions Options { get; } = options;

    /// <summary>The augmentations used when a recipe names none: resized crops (scale 0.3-1) and horizontal flips.</summary>
    public static ITransform[] DefaultAugmentations(double minScale = 0.3) => [new RandomResizedCrop(minScale), new RandomHorizontalFlip()];

    /// <summary>SimCLR's projection head: flatten, linear, relu, linear to <paramref name="outputs"/> (the loss's space, dropped afterwards).</summary>
    public static Sequential ProjectionHead(int trunkFeatures, int hidden, int outputs, Generator rng) =>
        new(new Flatten(), new Linear(trunkFeatures, hidden, rng: rng), new ReLU(), new Linear(hidden, outputs, rng: rng));

    /// <summary>Trains trunk and head; returns the mean NT-Xent loss of every epoch.</summary>
    public IReadOnlyList<double> Fit(Module trunk, Module head, IDataset data,
                                     IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var o = Options;
        if (o.BatchSize < 2) throw new ArgumentException($"contrastive pre-training needs batches of at least 2 images (the others are the negatives), got {o.BatchSize}.");
        var parameters = trunk.Parameters().Concat(head.Parameters()).ToList();
        Optimizer optimizer = o.CreateOptimizer(parameters);
        using var loader = new DataLoader(data, o.BatchSize, shuffle: true, seed: o.Seed, dropLast: data.Count > o.BatchSize);
        var viewRng = new Generator(o.Seed * 31 + 11);
        var sampleShape = data.SampleShape;
        int sampleSize = data.SampleSize;
        var losses = new List<double>();
        trunk.Train();
        head.Train();
        for (int epoch = 0; epoch < o.Epochs && !cancellationToken.IsCancellationRequested; epoch++)
        {
            double sum = 0;
            long seen = 0;
            foreach (var batch in loader.Epoch(epoch))
            {
                if (cancellationToken.IsCancellationRequested) break;
                using var scope = TensorScope.Begin();
                int n = batch.Size;
                var source = batch.Inputs.Contiguous().ReadOnlySpan;
                // Rows 0..n-1 are the first views, n..2n-1 the second: the pairing NtXentLoss expects.
                var views = Tensor.Empty([2 * n, .. sampleShape]);
                var vs = views.Span;
                for (int v = 0; v < 2; v++)
                    for (int i = 0; i < n; i++)
                    {
                        var dst = vs.Slice((v * n + i) * sampleSize, sampleSize);
                        source.Slice(i * sampleSize, sampleSize).CopyTo(dst);
                        foreach (var t in Augmentations) t.Apply(dst, sampleShape, viewRng);
                    }
                var loss = Ops.NtXentLoss(head.Forward(trunk.Forward(views)), Temperature);
                float value = loss.Item();
                if (!float.IsFinite(value)) throw new TrainingDivergedException($"contrastive pre-training: the loss is {value} at epoch {epoch + 1}; lower the learning rate.");
                loss.Backward();
                optimizer.Step();
                optimizer.ZeroGrad();
                sum += (double)value * n;
                seen += n;
                if (progress != null && (batch.Index % 10 == 9 || batch.Index == loader.BatchesPerEpoch - 1))
                    progress.Report(new TrainingProgress("pretrain", epoch, o.Epochs, batch.Index + 1, loader.BatchesPerEpoch, 0, sum / seen, false));
            }
            if (seen > 0) losses.Add(sum / seen);
        }
        return losses;
    }
}
