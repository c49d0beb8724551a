namespace Feynman.Text.Labelling;

/// <summary>
/// One teacher reply as <see cref="TeacherCaller"/> returns it: the text, the token log-probabilities when the
/// endpoint sent them, and what the request cost when it was made. <see cref="FromCache"/> replies cost nothing now.
/// </summary>
public sealed record TeacherAnswer(string Text, IReadOnlyList<TokenLogProb>? LogProbs, long InputTokens, long OutputTokens, double Cost, string Teacher, bool FromCache)
{
    public long Tokens => InputTokens + OutputTokens;

    /// <summary>Tokens this reply cost in this process (zero from the cache).</summary>
    public long FreshTokens => FromCache ? 0 : Tokens;

    public double FreshCost => FromCache ? 0 : Cost;
}
