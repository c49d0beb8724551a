namespace Feynman.Text.Teaching;

/// <summary>The loop's result: its state (data, rounds, stop reason), the last student trained, and whether it was interrupted.</summary>
public sealed record TeachingOutcome(TeachingState State, ITextClassifier? Student, bool Interrupted);
