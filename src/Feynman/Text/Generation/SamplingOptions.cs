namespace Feynman.Text.Generation;

/// <summary>How <see cref="TextSampler"/> draws text: temperature and top-k over the next byte, a length cap, and how many
/// sequences advance together.</summary>
public sealed record SamplingOptions
{
    /// <summary>Divides the logits before the softmax; 0 picks the most likely byte every time (greedy).</summary>
    public float Temperature { get; init; } = 0.8f;

    /// <summary>Only the k most likely tokens can be drawn; 0 keeps them all.</summary>
    public int TopK { get; init; } = 40;

    /// <summary>Longest text in UTF-8 bytes, the prefix included (also capped by the model's context length minus one).</summary>
    public int MaxLength { get; init; } = 240;

    /// <summary>Sequences decoded together (each GEMM covers all of them).</summary>
    public int BatchSize { get; init; } = 32;

    public void Validate()
    {
        if (!(Temperature >= 0 && float.IsFinite(Temperature))) throw new ArgumentOutOfRangeException(nameof(Temperature), $"temperature must be a finite number >= 0, got {Temperature}.");
        if (TopK < 0) throw new ArgumentOutOfRangeException(nameof(TopK), $"top-k must be >= 0 (0 keeps every token), got {TopK}.");
        if (MaxLength <= 0) throw new ArgumentOutOfRangeException(nameof(MaxLength), $"max length must be positive, got {MaxLength}.");
        if (BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), $"batch size must be positive, got {BatchSize}.");
    }
}
