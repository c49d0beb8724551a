namespace Feynman.Text.Teaching;

/// <summary>How <see cref="LlmExampleWriter"/> asks for new examples.</summary>
public sealed record LlmExampleWriterOptions
{
    /// <summary>What the texts are ("email message", "review", ...).</summary>
    public string TextKind { get; init; } = "text";

    /// <summary>Examples asked for per request; a larger count is split over several seeded requests.</summary>
    public int PerRequest { get; init; } = 20;

    public float Temperature { get; init; } = 0.9f;

    /// <summary>Completion tokens allowed per requested example.</summary>
    public int TokensPerExample { get; init; } = 200;

    /// <summary>Failures are shown cut to this many characters.</summary>
    public int FailureCharacters { get; init; } = 400;

    /// <summary>Extra guidance (label definitions, style) appended to the instruction.</summary>
    public string? Guidance { get; init; }
}
