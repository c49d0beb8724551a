namespace Feynman.Synthesis.SelfInstruct;

/// <summary>What a run produced: kept machine instructions, finished tasks, and whether a budget cap stopped it.</summary>
public sealed record SelfInstructResult(IReadOnlyList<string> Instructions, IReadOnlyList<SeedTask> Tasks, int Rejected, bool StoppedByBudget);
