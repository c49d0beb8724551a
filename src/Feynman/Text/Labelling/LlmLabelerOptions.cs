namespace Feynman.Text.Labelling;

/// <summary>How <see cref="LlmTextLabeler"/> asks: prompt, soft-label source, retries and concurrency.</summary>
public sealed record LlmLabelerOptions
{
    public SoftLabelSource SoftLabels { get; init; } = SoftLabelSource.Auto;

    /// <summary>Alternatives per token asked for (OpenAI allows up to 20).</summary>
    public int TopLogProbs { get; init; } = 10;

    /// <summary>Sampled answers per text when probabilities come from votes.</summary>
    public int Samples { get; init; } = 5;

    /// <summary>Temperature of sampled answers and of retries.</summary>
    public float SampleTemperature { get; init; } = 0.8f;

    /// <summary>Extra attempts after an answer that is not a label, before the text is recorded as rejected.</summary>
    public int MaxRetries { get; init; } = 2;

    /// <summary>Texts labelled at once.</summary>
    public int MaxConcurrency { get; init; } = 8;

    public int MaxOutputTokens { get; init; } = 8;

    /// <summary>Seed sent with every request (sample i uses Seed + i), so endpoints that honour it repeat themselves.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Texts longer than this are cut (the end marked) before they are sent.</summary>
    public int MaxTextCharacters { get; init; } = 4000;

    /// <summary>What the texts are, for the instruction ("email message", "review", ...).</summary>
    public string TextKind { get; init; } = "text";

    /// <summary>Extra guidance appended to the instruction (label definitions, ...).</summary>
    public string? Guidance { get; init; }

    /// <summary>Labelled examples shown before each text (user text, assistant label).</summary>
    public IReadOnlyList<TextExample> FewShot { get; init; } = [];
}
