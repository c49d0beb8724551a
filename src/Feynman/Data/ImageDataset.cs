namespace Feynman.Data;

/// <summary>
/// An in-memory dataset of float inputs (e.g. images as pixels/255 in [C, H, W] order) and int labels.
/// </summary>
public sealed class ImageDataset : IDataset
{
    private readonly float[] inputs;
    private readonly int[] labels;
    private readonly int[] sampleShape;

    public ImageDataset(string name, float[] inputs, int[] labels, IReadOnlyList<int> sampleShape, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(labels);
        Name = name;
        this.sampleShape = [.. sampleShape];
        if (this.sampleShape.Length == 0 || this.sampleShape.Any(d => d <= 0))
            throw new ArgumentException($"{name}: sample shape [{string.Join(", ", this.sampleShape)}] must have positive dimensions.");
        SampleSize = this.sampleShape.Aggregate(1, (a, b) => checked(a * b));
        if ((long)labels.Length * SampleSize != inputs.Length)
            throw new ArgumentException($"{name}: {labels.Length} labels need {(long)labels.Length * SampleSize} input floats of shape [{string.Join(", ", this.sampleShape)}], got {inputs.Length}.");
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] < -1 || labels[i] >= classNames.Count)
                throw new ArgumentException($"{name}: label {labels[i]} of sample {i} is outside 0..{classNames.Count - 1} (-1 means unlabelled).");
        this.inputs = inputs;
        this.labels = labels;
        ClassNames = classNames;
    }

    /// <summary>Builds a dataset from bytes (IDX pixels), scaling each to byte/255.</summary>
    public static ImageDataset FromBytes(string name, ReadOnlySpan<byte> pixels, ReadOnlySpan<byte> labels, IReadOnlyList<int> sampleShape, IReadOnlyList<string> classNames)
    {
        var floats = GC.AllocateUninitializedArray<float>(pixels.Length);
        const float scale = 1f / 255f;
        for (int i = 0; i < pixels.Length; i++) floats[i] = pixels[i] * scale;
        var ints = new int[labels.Length];
        for (int i = 0; i < labels.Length; i++) ints[i] = labels[i];
        return new ImageDataset(name, floats, ints, sampleShape, classNames);
    }

    public string Name { get; }

    public int Count => labels.Length;

    public IReadOnlyList<int> SampleShape => sampleShape;

    public int SampleSize { get; }

    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>All inputs, sample after sample.</summary>
    public ReadOnlySpan<float> Inputs => inputs;

    /// <summary>All labels in sample order.</summary>
    public ReadOnlySpan<int> Labels => labels;

    public int GetLabel(int index) => labels[index];

    public void CopyInput(int index, Span<float> destination) =>
        inputs.AsSpan(index * SampleSize, SampleSize).CopyTo(destination);
}
