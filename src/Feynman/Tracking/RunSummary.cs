namespace Feynman.Tracking;

/// <summary>One row of the run list.</summary>
public sealed record RunSummary(
    long Id,
    string Name,
    RunStatus Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    ulong? Seed,
    string? GitCommit,
    int? Pid,
    string? Host,
    string? Error)
{
    public TimeSpan? Duration => EndedAt - StartedAt;
}
