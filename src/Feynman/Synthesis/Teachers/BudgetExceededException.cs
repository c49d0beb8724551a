namespace Feynman.Synthesis.Teachers;

/// <summary>Thrown before a request that could take spending past a hard cap; nothing was sent.</summary>
public sealed class BudgetExceededException(string message) : Exception(message);
