namespace Feynman.Synthesis.Teachers;

/// <summary>
/// One OpenAI-compatible chat-completions server (OpenAI, Azure OpenAI v1, vLLM, llama.cpp server, Ollama, ...).
/// The API key is never stored here: only the name of the environment variable that holds it.
/// </summary>
public sealed record TeacherEndpoint
{
    /// <summary>Base URL including the version segment, e.g. https://api.openai.com/v1 or http://127.0.0.1:8000/v1.</summary>
    public required Uri BaseUrl { get; init; }

    public required string Model { get; init; }

    /// <summary>Name used in usage reports and provenance; defaults to model@host:port.</summary>
    public string? Name { get; init; }

    /// <summary>Environment variable holding the API key; local servers usually need none.</summary>
    public string? ApiKeyVariable { get; init; } = "OPENAI_API_KEY";

    /// <summary>Requests this endpoint may have in flight at once (its share of the pool's load).</summary>
    public int MaxConcurrency { get; init; } = 16;

    /// <summary>Price in dollars per million prompt tokens.</summary>
    public double InputPricePerMillion { get; init; }

    /// <summary>Price in dollars per million completion tokens.</summary>
    public double OutputPricePerMillion { get; init; }

    public string DisplayName => Name ?? $"{Model}@{BaseUrl.Authority}";

    public double Cost(long inputTokens, long outputTokens) =>
        (inputTokens * InputPricePerMillion + outputTokens * OutputPricePerMillion) / 1e6;
}
