using Feynman.Data;
using Feynman.Tensors;

namespace Feynman.Tests.Training;

/// <summary>Small seeded classification data: Gaussian blobs, one per class, in a few dimensions.</summary>
internal static class SyntheticData
{
    /// <param name="seed">Chooses the class centres (the task).</param>
    /// <param name="sampleSeed">Chooses the samples: train and test sets share <paramref name="seed"/> and differ here.</param>
    public static ImageDataset Blobs(int count, int features = 8, int classes = 3, ulong seed = 1, float spread = 0.6f, ulong sampleSeed = 0)
    {
        var rng = new Generator(seed);
        var centers = new float[classes * features];
        rng.FillNormal(centers, 0, 1.5f);
        rng = new Generator(seed * 1000 + sampleSeed);
        var x = new float[count * features];
        var y = new int[count];
        for (int i = 0; i < count; i++)
        {
            int c = rng.NextInt(classes);
            y[i] = c;
            for (int f = 0; f < features; f++) x[i * features + f] = centers[c * features + f] + spread * rng.NextNormal();
        }
        return new ImageDataset($"blobs-{seed}-{sampleSeed}", x, y, [features], Enumerable.Range(0, classes).Select(c => $"c{c}").ToArray());
    }
}
