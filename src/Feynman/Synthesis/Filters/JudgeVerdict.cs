namespace Feynman.Synthesis.Filters;

/// <summary>An LLM judge's score (1-5, 0 when unparsable), whether it passes the threshold, and the judge's words.</summary>
public sealed record JudgeVerdict(int Score, bool Passed, string Rationale, string Teacher);
