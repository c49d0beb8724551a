using Feynman.Synthesis.Text;
using Microsoft.Extensions.AI;

namespace Feynman.Synthesis.SelfInstruct;

/// <summary>Settings of <see cref="SelfInstructPipeline"/>; defaults are those of yizhongw/self-instruct.</summary>
public sealed class SelfInstructOptions
{
    public int NumInstructionsToGenerate { get; init; } = 100;

    /// <summary>In-context instructions per bootstrap prompt (8 in the paper) ...</summary>
    public int NumPromptInstructions { get; init; } = 8;

    /// <summary>... of which this many are machine-generated once there are some (2; the rest are seeds).</summary>
    public int NumMachineInstructionsInPrompt { get; init; } = 2;

    /// <summary>Bootstrap requests per round, all in flight together (the original sent 5 at a time).</summary>
    public int RequestsPerRound { get; init; } = 32;

    /// <summary>Bootstrap stops after this many rounds in a row that keep nothing.</summary>
    public int MaxBarrenRounds { get; init; } = 10;

    public bool UseClassificationSeedsOnly { get; init; }
    public int Seed { get; init; } = 42;
    public double RougeThreshold { get; init; } = 0.7;
    public RougeTokenization Tokenization { get; init; } = RougeTokenization.Reference;
    public int MaxInstancesPerTask { get; init; } = 5;
    public bool IdentifyClassification { get; init; } = true;
    public bool GenerateInstances { get; init; } = true;

    /// <summary>For --dry-run: instructions one bootstrap request is expected to add (an assumption, not a measurement).</summary>
    public double ExpectedKeptPerRequest { get; init; } = 3;

    public PromptTemplates Templates { get; init; } = new();

    /// <summary>bootstrap_instructions.py: temperature 0.7, top_p 0.5, presence penalty 2, 1024 tokens, stop at the 16th item.</summary>
    public ChatOptions BootstrapDecoding { get; init; } = new()
    {
        Temperature = 0.7f, TopP = 0.5f, FrequencyPenalty = 0f, PresencePenalty = 2f, MaxOutputTokens = 1024,
        StopSequences = ["\n\n", "\n16", "16.", "16 ."],
    };

    /// <summary>identify_clf_or_not.py: greedy, 3 tokens, stop at a newline or "Task".</summary>
    public ChatOptions ClassificationDecoding { get; init; } = new()
    {
        Temperature = 0f, TopP = 0f, MaxOutputTokens = 3, StopSequences = ["\n", "Task"],
    };

    /// <summary>generate_instances.py: greedy, presence penalty 1.5, 300 tokens for classification and 350 otherwise.</summary>
    public ChatOptions InstanceDecoding(bool classification) => new()
    {
        Temperature = 0f, TopP = 0f, FrequencyPenalty = 0f, PresencePenalty = 1.5f, MaxOutputTokens = classification ? 300 : 350,
        StopSequences = [$"Example {MaxInstancesPerTask + 1}", "Task:"],
    };
}
