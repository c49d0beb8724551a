namespace Feynman.Text.Labelling;

/// <summary>
/// Running totals of the teacher calls made through one <see cref="TeacherCaller"/>: all replies with what they cost
/// when first made (the cost of the data, the same whether it came from the cache or not), and the fresh ones
/// (what this process spent). Thread-safe.
/// </summary>
public sealed class TeacherMeter
{
    private readonly Lock _lock = new();
    private long _calls, _cached, _tokens, _freshTokens;
    // Decimal sums are exact here, so the totals do not depend on the order concurrent replies arrive in.
    private decimal _cost, _freshCost;

    public TeacherSpend Snapshot()
    {
        lock (_lock) return new TeacherSpend(_calls, _cached, _tokens, (double)_cost, _freshTokens, (double)_freshCost);
    }

    public void Add(TeacherAnswer a)
    {
        lock (_lock)
        {
            _calls++;
            if (a.FromCache) _cached++;
            _tokens += a.Tokens;
            _cost += (decimal)a.Cost;
            _freshTokens += a.FreshTokens;
            _freshCost += (decimal)a.FreshCost;
        }
    }
}
