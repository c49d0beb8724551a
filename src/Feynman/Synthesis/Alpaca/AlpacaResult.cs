namespace Feynman.Synthesis.Alpaca;

/// <summary>Kept examples in generation order, the number rejected, and whether a budget cap stopped the run.</summary>
public sealed record AlpacaResult(IReadOnlyList<AlpacaExample> Examples, int Rejected, bool StoppedByBudget);
