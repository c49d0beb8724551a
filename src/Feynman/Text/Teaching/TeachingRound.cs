namespace Feynman.Text.Teaching;

/// <summary>
/// What one round did: the student's development accuracy with <see cref="TrainExamples"/> examples, the writer's
/// proposals kept and rejected (by reason), and the teacher's tokens and dollars for the round's data (as first paid;
/// <see cref="FreshCost"/> is what this process spent, zero for answers from the cache).
/// </summary>
public sealed record TeachingRound
{
    public int Round { get; init; }
    public int TrainExamples { get; init; }
    public double DevAccuracy { get; init; }
    public int Failures { get; init; }
    public int Proposed { get; init; }
    public int Kept { get; init; }
    public SortedDictionary<string, int> Rejected { get; init; } = new(StringComparer.Ordinal);
    public long TeacherCalls { get; init; }
    public long TeacherTokens { get; init; }
    public double TeacherCost { get; init; }
    public long FreshTokens { get; init; }
    public double FreshCost { get; init; }

    /// <summary>Why the loop stopped after this round ("target accuracy", "round limit", "budget"), or null.</summary>
    public string? Stop { get; init; }
}
