namespace Feynman.Text.Models;

/// <summary>The transformer student or teacher: word vocabulary, sequence length, sizes and training.</summary>
public sealed record TransformerTextOptions
{
    /// <summary>Words only (no hashed n-grams); the vocabulary is capped so the embedding table stays small.</summary>
    public TokenizerOptions Tokenizer { get; init; } = new() { MinCount = 2, MaxVocabulary = 20000, Buckets = 0, MaxN = 0, WordNgrams = 1 };

    /// <summary>Texts are cut to their first MaxLength words.</summary>
    public int MaxLength { get; init; } = 256;

    public int DModel { get; init; } = 64;

    public int Heads { get; init; } = 4;

    public int Layers { get; init; } = 2;

    public int FeedForward { get; init; } = 128;

    public double Dropout { get; init; } = 0.1;

    public StudentTrainingOptions Training { get; init; } = new() { Epochs = 4, BatchSize = 16, LearningRate = 1e-3, WeightDecay = 0.01, ClipGradNorm = 1.0 };

    public void Validate()
    {
        if (MaxLength is < 1 or > 4096) throw new ArgumentOutOfRangeException(nameof(MaxLength), $"max_length must be in [1, 4096], got {MaxLength}.");
        if (DModel < 1 || Heads < 1 || DModel % Heads != 0)
            throw new ArgumentOutOfRangeException(nameof(DModel), $"d_model ({DModel}) must be a positive multiple of heads ({Heads}).");
        if (Layers < 1) throw new ArgumentOutOfRangeException(nameof(Layers), $"layers must be at least 1, got {Layers}.");
        if (FeedForward < 1) throw new ArgumentOutOfRangeException(nameof(FeedForward), $"feed_forward must be positive, got {FeedForward}.");
        if (!(Dropout is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(Dropout), $"dropout must be in [0, 1), got {Dropout}.");
    }
}
