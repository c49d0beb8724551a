namespace Feynman.Synthesis;

/// <summary>A snapshot for progress bars: the stage, accepted and rejected counts, the target, requests, tokens and cost.</summary>
public sealed record SynthesisProgress(string Stage, int Accepted, int Rejected, int Target, long Requests, int InFlight, long Tokens, double Cost);
