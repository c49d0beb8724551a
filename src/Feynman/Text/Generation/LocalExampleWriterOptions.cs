namespace Feynman.Text.Generation;

/// <summary>How <see cref="LocalExampleWriter"/> turns a request into samples.</summary>
public sealed record LocalExampleWriterOptions
{
    public SamplingOptions Sampling { get; init; } = new();

    /// <summary>
    /// Fraction of examples that start with the opening words of a failure of their class, to aim them at what the
    /// student gets wrong; the rest are sampled from the class token alone, for variety. 0 turns priming off.
    /// </summary>
    public double PrimedFraction { get; init; } = 0.5;

    /// <summary>Characters taken from a failure's start as a prefix (cut back to a word boundary when one is near).</summary>
    public int PrefixLength { get; init; } = 24;

    /// <summary>Generated characters (beyond the prefix, whitespace trimmed) an example needs to be kept.</summary>
    public int MinNewCharacters { get; init; } = 16;

    /// <summary>Sampling rounds to replace examples that were too short or duplicates, before returning fewer than asked.</summary>
    public int MaxAttempts { get; init; } = 4;

    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Sampling, nameof(Sampling));
        Sampling.Validate();
        if (!(PrimedFraction >= 0 && PrimedFraction <= 1)) throw new ArgumentOutOfRangeException(nameof(PrimedFraction), $"primed fraction must be in [0, 1], got {PrimedFraction}.");
        if (PrefixLength < 0) throw new ArgumentOutOfRangeException(nameof(PrefixLength), $"prefix length must be >= 0, got {PrefixLength}.");
        if (MinNewCharacters < 0) throw new ArgumentOutOfRangeException(nameof(MinNewCharacters), $"minimum new characters must be >= 0, got {MinNewCharacters}.");
        if (MaxAttempts <= 0) throw new ArgumentOutOfRangeException(nameof(MaxAttempts), $"max attempts must be positive, got {MaxAttempts}.");
    }
}
