namespace Feynman.Data;

/// <summary>
/// A finite, indexable set of samples with integer class labels (PyTorch's map-style Dataset).
/// Inputs are copied into caller-owned spans so a loader can fill one reused batch buffer.
/// </summary>
public interface IDataset
{
    /// <summary>A short name for messages and run records, e.g. "fashion-mnist:train".</summary>
    string Name { get; }

    int Count { get; }

    /// <summary>The shape of one input, e.g. [1, 28, 28].</summary>
    IReadOnlyList<int> SampleShape { get; }

    /// <summary>Floats in one input (the product of <see cref="SampleShape"/>).</summary>
    int SampleSize { get; }

    /// <summary>Class names indexed by label (their count is the number of classes).</summary>
    IReadOnlyList<string> ClassNames { get; }

    /// <summary>The label of sample <paramref name="index"/> (-1 when unlabelled).</summary>
    int GetLabel(int index);

    /// <summary>Copies the input of sample <paramref name="index"/> into <paramref name="destination"/> (length <see cref="SampleSize"/>).</summary>
    void CopyInput(int index, Span<float> destination);

    /// <summary>Copies the inputs and labels of <paramref name="indices"/> into batch buffers, sample after sample.</summary>
    void Gather(ReadOnlySpan<int> indices, Span<float> inputs, Span<int> labels)
    {
        int size = SampleSize;
        if (inputs.Length < indices.Length * size || labels.Length < indices.Length)
            throw new ArgumentException($"{Name}: gather of {indices.Length} samples needs {indices.Length * size} input floats and {indices.Length} labels, got {inputs.Length} and {labels.Length}.");
        for (int i = 0; i < indices.Length; i++)
        {
            CopyInput(indices[i], inputs.Slice(i * size, size));
            labels[i] = GetLabel(indices[i]);
        }
    }
}
