namespace Feynman.Text.Labelling;

/// <summary>One generated token with its log-probability and, when the endpoint returned top_logprobs, the most
/// likely alternatives at that position (each with <see cref="Top"/> null).</summary>
public sealed record TokenLogProb(string Token, double LogProb, IReadOnlyList<TokenLogProb>? Top = null);
