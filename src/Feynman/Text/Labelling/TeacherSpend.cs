namespace Feynman.Text.Labelling;

/// <summary>Totals of teacher calls: <see cref="Tokens"/>/<see cref="Cost"/> as first paid (cached replies included),
/// <see cref="FreshTokens"/>/<see cref="FreshCost"/> spent by this process.</summary>
public sealed record TeacherSpend(long Calls, long CachedCalls, long Tokens, double Cost, long FreshTokens, double FreshCost)
{
    public static readonly TeacherSpend Zero = new(0, 0, 0, 0, 0, 0);

    public TeacherSpend Minus(TeacherSpend b) =>
        new(Calls - b.Calls, CachedCalls - b.CachedCalls, Tokens - b.Tokens, Cost - b.Cost, FreshTokens - b.FreshTokens, FreshCost - b.FreshCost);

    public TeacherSpend Plus(TeacherSpend b) =>
        new(Calls + b.Calls, CachedCalls + b.CachedCalls, Tokens + b.Tokens, Cost + b.Cost, FreshTokens + b.FreshTokens, FreshCost + b.FreshCost);
}
