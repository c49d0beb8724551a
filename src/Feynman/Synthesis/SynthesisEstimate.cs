namespace Feynman.Synthesis;

/// <summary>A --dry-run estimate: requests, prompt and completion tokens, and dollars at the configured prices.</summary>
public sealed record SynthesisEstimate(long Requests, long PromptTokens, long MaxCompletionTokens, double MaxCost, string Assumptions)
{
    public override string ToString() =>
        $"about {Requests:N0} requests, {PromptTokens:N0} prompt tokens, at most {MaxCompletionTokens:N0} completion tokens, at most ${MaxCost:F2} ({Assumptions})";
}
