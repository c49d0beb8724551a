namespace Feynman.Tracking;

/// <summary>A file a run produced: kind ("checkpoint", "weights", "report", "results"), path and when.</summary>
public sealed record Artifact(string Kind, string Path, DateTimeOffset CreatedAt);
