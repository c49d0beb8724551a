namespace Feynman.Text.Generation;

/// <summary>
/// The shape of a <see cref="ByteLanguageModel"/>. The defaults (4 heads of 32, 2 pre-norm layers, 256-byte context,
/// about 0.47 M parameters) train to readable mail-like text in minutes on two cores.
/// </summary>
public sealed record LanguageModelOptions
{
    /// <summary>Tokens the model sees at once, the class token included; also the longest sample (prompt included).</summary>
    public int ContextLength { get; init; } = 256;

    public int EmbedDim { get; init; } = 128;

    public int Heads { get; init; } = 4;

    public int Layers { get; init; } = 2;

    public int FeedForwardDim { get; init; } = 512;

    /// <summary>Dropout in the blocks while training (0 turns it off; sampling never uses it).</summary>
    public double Dropout { get; init; }

    /// <summary>Throws a clear error for a shape that cannot be built.</summary>
    public void Validate()
    {
        if (ContextLength < 3) throw new ArgumentOutOfRangeException(nameof(ContextLength), $"context length must be at least 3 (class, start and one byte), got {ContextLength}.");
        if (EmbedDim <= 0 || Heads <= 0 || EmbedDim % Heads != 0)
            throw new ArgumentException($"embed dim {EmbedDim} must be a positive multiple of the number of heads {Heads}.");
        if (Layers <= 0) throw new ArgumentOutOfRangeException(nameof(Layers), $"layers must be positive, got {Layers}.");
        if (FeedForwardDim <= 0) throw new ArgumentOutOfRangeException(nameof(FeedForwardDim), $"feed-forward dim must be positive, got {FeedForwardDim}.");
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentOutOfRangeException(nameof(Dropout), $"dropout must be in [0, 1), got {Dropout}.");
    }
}
