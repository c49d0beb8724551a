using Feynman.Tensors;

namespace Feynman.Data;

/// <summary>
/// Batches a dataset (PyTorch's DataLoader, single process). The sample order of epoch e depends only
/// on (seed, e), and the augmentation of batch b only on (seed, e, b), so a run resumed at any batch sees
/// exactly the batches an uninterrupted run would have. Batches are written into buffers allocated once,
/// so iterating allocates nothing per batch; the yielded tensors and label arrays are overwritten by the
/// next batch.
/// </summary>
public sealed class DataLoader : IDisposable
{
    private readonly int[] order;
    private readonly Generator shuffleRng = new(0);
    private readonly Generator augmentRng = new(0);
    private readonly Tensor fullInputs;
    private readonly int[] fullLabels;
    private readonly Tensor? tailInputs;
    private readonly int[]? tailLabels;
    private bool disposed;

    public DataLoader(IDataset dataset, int batchSize, bool shuffle = false, ulong seed = 0, bool dropLast = false, IReadOnlyList<ITransform>? transforms = null)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), $"batch size {batchSize} must be positive.");
        if (dataset.Count == 0) throw new ArgumentException($"dataset {dataset.Name} is empty: there is nothing to load.", nameof(dataset));
        Dataset = dataset;
        BatchSize = batchSize;
        Shuffle = shuffle;
        Seed = seed;
        DropLast = dropLast;
        Transforms = transforms ?? [];
        order = new int[dataset.Count];
        int tail = dataset.Count % batchSize;
        BatchesPerEpoch = dataset.Count / batchSize + (tail > 0 && !dropLast ? 1 : 0);
        int fullSize = Math.Min(batchSize, dataset.Count);
        // The batch buffers belong to no TensorScope: they live as long as the loader.
        (fullInputs, fullLabels) = MakeBuffers(fullSize);
        if (tail > 0 && !dropLast && dataset.Count > batchSize) (tailInputs, tailLabels) = MakeBuffers(tail);
    }

    public IDataset Dataset { get; }

    public int BatchSize { get; }

    public bool Shuffle { get; }

    public ulong Seed { get; }

    public bool DropLast { get; }

    public IReadOnlyList<ITransform> Transforms { get; }

    public int BatchesPerEpoch { get; }

    /// <summary>Samples per epoch (fewer than the dataset's when the last partial batch is dropped).</summary>
    public int SamplesPerEpoch => DropLast ? BatchesPerEpoch * BatchSize : Dataset.Count;

    /// <summary>The dataset indices in the order epoch <paramref name="epoch"/> visits them.</summary>
    public int[] EpochOrder(int epoch)
    {
        var result = new int[Dataset.Count];
        FillOrder(epoch, result);
        return result;
    }

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/> (0-based), starting at batch <paramref name="startBatch"/>
    /// (to resume mid-epoch). Enumerate one epoch at a time: all epochs share the loader's buffers.
    /// </summary>
    public IEnumerable<Batch> Epoch(int epoch, int startBatch = 0)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), $"epoch {epoch} must be >= 0.");
        if (startBatch < 0 || startBatch > BatchesPerEpoch)
            throw new ArgumentOutOfRangeException(nameof(startBatch), $"start batch {startBatch} is outside 0..{BatchesPerEpoch}.");
        return Iterate(epoch, startBatch);
    }

    private IEnumerable<Batch> Iterate(int epoch, int startBatch)
    {
        FillOrder(epoch, order);
        int sampleSize = Dataset.SampleSize;
        for (int b = startBatch; b < BatchesPerEpoch; b++)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            int start = b * BatchSize;
            int size = Math.Min(BatchSize, order.Length - start);
            var (inputs, labels) = size == fullLabels.Length ? (fullInputs, fullLabels) : (tailInputs!, tailLabels!);
            var indices = new ReadOnlyMemory<int>(order, start, size);
            var span = inputs.Storage.Array.AsSpan(0, size * sampleSize);
            Dataset.Gather(indices.Span, span, labels);
            if (Transforms.Count > 0)
            {
                augmentRng.Seed(Mix(Mix(Seed ^ 0xA5A5A5A5A5A5A5A5UL, (ulong)epoch), (ulong)b));
                for (int i = 0; i < size; i++)
                {
                    var sample = span.Slice(i * sampleSize, sampleSize);
                    // Indexing, not foreach: an interface enumerator would allocate per sample.
                    for (int t = 0; t < Transforms.Count; t++) Transforms[t].Apply(sample, Dataset.SampleShape, augmentRng);
                }
            }
            yield return new Batch(b, inputs, labels, indices);
        }
    }

    private void FillOrder(int epoch, Span<int> destination)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = i;
        if (!Shuffle) return;
        shuffleRng.Seed(Mix(Seed, (ulong)epoch));
        shuffleRng.Shuffle(destination);
    }

    private (Tensor, int[]) MakeBuffers(int size)
    {
        int[] shape = [size, .. Dataset.SampleShape];
        var tensor = TensorScope.Outside(() => Tensor.FromArray(new float[size * Dataset.SampleSize], shape));
        return (tensor, new int[size]);
    }

    // A SplitMix64 finaliser over (a, b): nearby seeds and epochs give unrelated streams.
    private static ulong Mix(ulong a, ulong b)
    {
        ulong z = a * 0x9E3779B97F4A7C15UL + b + 0x632BE59BD9B4E019UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        fullInputs.Dispose();
        tailInputs?.Dispose();
    }
}
