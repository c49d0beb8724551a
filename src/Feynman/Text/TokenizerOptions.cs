namespace Feynman.Text;

/// <summary>How <see cref="TextTokenizer"/> splits and hashes text (fastText's defaults for supervised models where they apply).</summary>
public sealed record TokenizerOptions
{
    /// <summary>Words seen fewer times than this in the training texts get no vocabulary id (their n-grams still count).</summary>
    public int MinCount { get; init; } = 2;

    /// <summary>Keep only the most frequent words (0: no limit).</summary>
    public int MaxVocabulary { get; init; }

    /// <summary>Hash buckets shared by character n-grams and word n-grams (0: no hashed features).</summary>
    public int Buckets { get; init; } = 1 << 17;

    /// <summary>Character n-grams of "&lt;word&gt;" from MinN to MaxN characters (MaxN 0: none).</summary>
    public int MinN { get; init; } = 3;

    public int MaxN { get; init; } = 5;

    /// <summary>1: words only; 2: also hashed word bigrams.</summary>
    public int WordNgrams { get; init; } = 2;

    /// <summary>Words read per text; the rest is ignored (bounds the cost of one long message).</summary>
    public int MaxWords { get; init; } = 1000;

    /// <summary>Longer runs of letters and digits (base64 debris, URLs) are cut to this many characters.</summary>
    public int MaxWordLength { get; init; } = 30;

    public bool Lowercase { get; init; } = true;

    public void Validate()
    {
        if (MinCount < 1) throw new ArgumentOutOfRangeException(nameof(MinCount), $"tokenizer min_count must be at least 1, got {MinCount}.");
        if (MaxVocabulary < 0) throw new ArgumentOutOfRangeException(nameof(MaxVocabulary), $"tokenizer max_vocabulary must be 0 (no limit) or positive, got {MaxVocabulary}.");
        if (Buckets < 0) throw new ArgumentOutOfRangeException(nameof(Buckets), $"tokenizer buckets must be 0 or positive, got {Buckets}.");
        if (MaxN != 0 && (MinN < 1 || MaxN < MinN))
            throw new ArgumentOutOfRangeException(nameof(MinN), $"tokenizer character n-grams need 1 <= min_n <= max_n, got min_n={MinN}, max_n={MaxN} (max_n 0 turns them off).");
        if (WordNgrams is < 1 or > 2) throw new ArgumentOutOfRangeException(nameof(WordNgrams), $"tokenizer word_ngrams must be 1 or 2, got {WordNgrams}.");
        if (MaxWords < 1) throw new ArgumentOutOfRangeException(nameof(MaxWords), $"tokenizer max_words must be positive, got {MaxWords}.");
        if (MaxWordLength is < 1 or > 256) throw new ArgumentOutOfRangeException(nameof(MaxWordLength), $"tokenizer max_word_length must be in [1, 256], got {MaxWordLength}.");
    }

    /// <summary>True when texts map to hashed n-gram features at all.</summary>
    public bool HasHashedFeatures => Buckets > 0 && (MaxN > 0 || WordNgrams > 1);
}
