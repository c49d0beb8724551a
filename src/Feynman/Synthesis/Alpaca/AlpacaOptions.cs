using Feynman.Synthesis.Text;
using Microsoft.Extensions.AI;

namespace Feynman.Synthesis.Alpaca;

/// <summary>Settings of <see cref="AlpacaPipeline"/>; defaults are those of tatsu-lab/stanford_alpaca.</summary>
public sealed class AlpacaOptions
{
    public int NumInstructionsToGenerate { get; init; } = 100;

    /// <summary>Seed demonstrations per prompt (3).</summary>
    public int NumPromptInstructions { get; init; } = 3;

    /// <summary>Requests per round, all in flight together (the original sent 5 at a time).</summary>
    public int RequestsPerRound { get; init; } = 32;

    public int Seed { get; init; } = 42;
    public double RougeThreshold { get; init; } = 0.7;
    public RougeTokenization Tokenization { get; init; } = RougeTokenization.Reference;
    public int MaxBarrenRounds { get; init; } = 10;

    /// <summary>For --dry-run: examples one request is expected to add (an assumption; the prompt asks for 20).</summary>
    public double ExpectedKeptPerRequest { get; init; } = 8;

    public PromptTemplates Templates { get; init; } = new();

    /// <summary>generate_instruction.py: temperature 1, top_p 1, 3072 tokens, stop before the 20th item.</summary>
    public ChatOptions Decoding { get; init; } = new()
    {
        Temperature = 1f, TopP = 1f, MaxOutputTokens = 3072, StopSequences = ["\n20", "20."],
    };
}
