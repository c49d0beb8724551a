namespace Feynman.Synthesis.Teachers;

/// <summary>Token counts before the server reports them: about 4 characters per token in English; 3 errs on the safe side for budgets.</summary>
public static class TokenEstimate
{
    public static long Of(long characters) => (characters + 2) / 3;
}
