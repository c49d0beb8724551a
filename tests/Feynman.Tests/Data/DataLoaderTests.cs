using Feynman.Data;
using Feynman.Tensors;

namespace Feynman.Tests.Data;

public class DataLoaderTests
{
    private static readonly string[] TenClasses = [.. Enumerable.Range(0, 10).Select(i => $"c{i}")];

    /// <summary>n samples of shape [1, 2, 3] whose every pixel holds the sample index, label = index % 10.</summary>
    private static ImageDataset Numbered(int n)
    {
        var inputs = new float[n * 6];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = i / 6;
        return new ImageDataset("numbered", inputs, [.. Enumerable.Range(0, n).Select(i => i % 10)], [1, 2, 3], TenClasses);
    }

    [Fact]
    public void BatchesCoverTheDatasetOnceWithMatchingInputsAndLabels()
    {
        using var loader = new DataLoader(Numbered(23), batchSize: 5, shuffle: true, seed: 3);
        Assert.Equal(5, loader.BatchesPerEpoch);
        var seen = new List<int>();
        foreach (var batch in loader.Epoch(0))
        {
            Assert.Equal(batch.Index == 4 ? 3 : 5, batch.Size);
            Assert.Equal([batch.Size, 1, 2, 3], batch.Inputs.Shape.ToArray());
            var x = batch.Inputs.ToArray();
            for (int i = 0; i < batch.Size; i++)
            {
                int index = batch.Indices.Span[i];
                Assert.Equal(index % 10, batch.Labels[i]);
                Assert.All(x.AsSpan(i * 6, 6).ToArray(), v => Assert.Equal(index, v));
                seen.Add(index);
            }
        }
        Assert.Equal(Enumerable.Range(0, 23), seen.Order());
        Assert.NotEqual(Enumerable.Range(0, 23), seen); // shuffled
    }

    [Fact]
    public void OrderDependsOnlyOnSeedAndEpoch()
    {
        var ds = Numbered(50);
        using var a = new DataLoader(ds, 8, shuffle: true, seed: 7);
        using var b = new DataLoader(ds, 8, shuffle: true, seed: 7);
        using var c = new DataLoader(ds, 8, shuffle: true, seed: 8);
        // b visits epoch 1 first, then epoch 0: each epoch's order is still the same as a's.
        Assert.Equal(a.EpochOrder(1), b.EpochOrder(1));
        Assert.Equal(a.EpochOrder(0), b.EpochOrder(0));
        Assert.NotEqual(a.EpochOrder(0), a.EpochOrder(1));
        Assert.NotEqual(a.EpochOrder(0), c.EpochOrder(0));
        using var plain = new DataLoader(ds, 8);
        Assert.Equal(Enumerable.Range(0, 50), plain.EpochOrder(4));
    }

    [Fact]
    public void ResumingMidEpochYieldsTheSameBatchesAsAnUninterruptedEpoch()
    {
        var ds = Numbered(40);
        ITransform[] transforms = [new RandomCrop(1), new RandomHorizontalFlip()];
        using var whole = new DataLoader(ds, 6, shuffle: true, seed: 11, transforms: transforms);
        var expected = whole.Epoch(2).Select(bt => (bt.Index, bt.Inputs.ToArray(), bt.Labels.ToArray())).ToList();
        using var resumed = new DataLoader(ds, 6, shuffle: true, seed: 11, transforms: [new RandomCrop(1), new RandomHorizontalFlip()]);
        var actual = resumed.Epoch(2, startBatch: 4).Select(bt => (bt.Index, bt.Inputs.ToArray(), bt.Labels.ToArray())).ToList();
        Assert.Equal(expected.Count - 4, actual.Count);
        for (int i = 0; i < actual.Count; i++)
        {
            Assert.Equal(expected[i + 4].Index, actual[i].Index);
            Assert.Equal(expected[i + 4].Item2, actual[i].Item2);
            Assert.Equal(expected[i + 4].Item3, actual[i].Item3);
        }
    }

    [Fact]
    public void DropLastSkipsThePartialBatch()
    {
        using var loader = new DataLoader(Numbered(23), 5, dropLast: true);
        Assert.Equal(4, loader.BatchesPerEpoch);
        Assert.Equal(20, loader.SamplesPerEpoch);
        Assert.All(loader.Epoch(0), bt => Assert.Equal(5, bt.Size));
        Assert.Equal(4, loader.Epoch(0).Count());
    }

    [Fact]
    public void BatchesReuseTheirBuffersAndAllocateNothingPerBatch()
    {
        using var loader = new DataLoader(Numbered(400), 8, shuffle: true, seed: 1, transforms: [new RandomCrop(1), new RandomHorizontalFlip()]);
        Tensor? first = null;
        long before = 0;
        int count = 0;
        foreach (var batch in loader.Epoch(0))
        {
            if (first is null)
            {
                first = batch.Inputs;
                before = GC.GetAllocatedBytesForCurrentThread();
            }
            Assert.Same(first, batch.Inputs);
            count++;
        }
        long after = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(50, count);
        // 49 batches after the first: a per-batch allocation of even one small object would exceed this.
        Assert.True(after - before < 49 * 24, $"{after - before} bytes allocated over 49 batches");
    }

    [Fact]
    public void RandomCropShiftsTheImageWithZerosFillingIn()
    {
        // A 1x4x4 image 1..16; find a generator state whose draw is a known shift, and compare to hand-shifted.
        var image = Enumerable.Range(1, 16).Select(v => (float)v).ToArray();
        var crop = new RandomCrop(2);
        var shapes = new[] { 1, 4, 4 };
        var seenShifts = new HashSet<(int, int)>();
        for (ulong seed = 0; seed < 200; seed++)
        {
            var probe = new Generator(seed);
            int dy = probe.NextInt(5) - 2, dx = probe.NextInt(5) - 2;
            seenShifts.Add((dy, dx));
            var x = (float[])image.Clone();
            crop.Apply(x, shapes, new Generator(seed));
            for (int y = 0; y < 4; y++)
                for (int c = 0; c < 4; c++)
                {
                    int sy = y + dy, sx = c + dx;
                    float expected = sy is >= 0 and < 4 && sx is >= 0 and < 4 ? image[sy * 4 + sx] : 0f;
                    Assert.Equal(expected, x[y * 4 + c]);
                }
        }
        Assert.Equal(25, seenShifts.Count); // every offset in [-2, 2]^2 occurs
    }

    [Fact]
    public void HorizontalFlipMirrorsRowsOfEveryChannel()
    {
        float[] x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]; // [2, 2, 3]
        new RandomHorizontalFlip(1.0).Apply(x, [2, 2, 3], new Generator(0));
        Assert.Equal([3f, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10], x);
        float[] y = [1, 2, 3];
        new RandomHorizontalFlip(0.0).Apply(y, [1, 1, 3], new Generator(0));
        Assert.Equal([1f, 2, 3], y);
        int flipped = 0;
        var rng = new Generator(5);
        for (int i = 0; i < 1000; i++)
        {
            float[] z = [1, 2];
            new RandomHorizontalFlip().Apply(z, [1, 1, 2], rng);
            if (z[0] == 2) flipped++;
        }
        Assert.InRange(flipped, 430, 570);
    }

    [Fact]
    public void SplitIsSeededDisjointAndComplete()
    {
        var ds = Numbered(1000);
        var (train, val) = DatasetSplit.Split(ds, 0.1, seed: 4);
        Assert.Equal(900, train.Count);
        Assert.Equal(100, val.Count);
        Assert.Equal(Enumerable.Range(0, 1000), train.Indices.ToArray().Concat(val.Indices.ToArray()).Order());
        var (_, again) = DatasetSplit.Split(ds, 0.1, seed: 4);
        Assert.Equal(val.Indices.ToArray(), again.Indices.ToArray());
        var (_, other) = DatasetSplit.Split(ds, 0.1, seed: 5);
        Assert.NotEqual(val.Indices.ToArray(), other.Indices.ToArray());
        // Views read through to the source.
        Assert.Equal(val.Indices[3] % 10, val.GetLabel(3));
    }

    [Fact]
    public void StratifiedSplitKeepsEveryClassShare()
    {
        // Unbalanced labels: class 0 has 600 samples, class 1 has 300, class 2 has 100.
        var labels = Enumerable.Range(0, 1000).Select(i => i < 600 ? 0 : i < 900 ? 1 : 2).ToArray();
        var ds = new ImageDataset("unbalanced", new float[1000], labels, [1], ["a", "b", "c"]);
        var (train, val) = DatasetSplit.Split(ds, 0.2, seed: 9, stratified: true);
        var perClass = new int[3];
        for (int i = 0; i < val.Count; i++) perClass[val.GetLabel(i)]++;
        Assert.Equal([120, 60, 20], perClass);
        Assert.Equal(800, train.Count);
    }
}
