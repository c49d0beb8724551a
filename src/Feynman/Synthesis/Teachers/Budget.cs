namespace Feynman.Synthesis.Teachers;

/// <summary>
/// Hard caps on tokens and dollars. A request reserves its worst case (estimated prompt tokens plus its
/// max_tokens) before it is sent and settles to the actual usage afterwards, so requests in flight together can
/// never push spending past a cap: the request that would is refused with <see cref="BudgetExceededException"/>.
/// Thread-safe.
/// </summary>
public sealed class Budget(double? maxCost = null, long? maxTokens = null)
{
    private readonly Lock _lock = new();
    private double _spentCost, _reservedCost;
    private long _spentTokens, _reservedTokens;

    public double? MaxCost { get; } = maxCost;
    public long? MaxTokens { get; } = maxTokens;

    public double SpentCost { get { lock (_lock) return _spentCost; } }
    public long SpentTokens { get { lock (_lock) return _spentTokens; } }

    /// <summary>Set once a reservation has been refused; pipelines stop starting work.</summary>
    public bool Exhausted { get; private set; }

    /// <summary>Counts usage from before this process (a resumed run) against the caps.</summary>
    public void AddSpent(long tokens, double cost)
    {
        lock (_lock) { _spentTokens += tokens; _spentCost += cost; }
    }

    public (long Tokens, double Cost) Reserve(long tokens, double cost)
    {
        lock (_lock)
        {
            if (MaxTokens is long mt && _spentTokens + _reservedTokens + tokens > mt)
            {
                Exhausted = true;
                throw new BudgetExceededException($"token cap {mt:N0} reached: spent {_spentTokens:N0}, in flight up to {_reservedTokens:N0}, next request up to {tokens:N0}.");
            }
            if (MaxCost is double mc && _spentCost + _reservedCost + cost > mc)
            {
                Exhausted = true;
                throw new BudgetExceededException($"cost cap ${mc:F4} reached: spent ${_spentCost:F4}, in flight up to ${_reservedCost:F4}, next request up to ${cost:F4}.");
            }
            _reservedTokens += tokens;
            _reservedCost += cost;
            return (tokens, cost);
        }
    }

    public void Settle((long Tokens, double Cost) reservation, long tokens, double cost)
    {
        lock (_lock)
        {
            _reservedTokens -= reservation.Tokens;
            _reservedCost -= reservation.Cost;
            _spentTokens += tokens;
            _spentCost += cost;
        }
    }
}
