namespace Feynman.Text.Teaching;

/// <summary>What a registered factory gets to build its part of a teaching run.</summary>
public sealed record TeachContext(TeachSpec Spec, TeachComponent Component, int Seed, string OutputDirectory)
{
    /// <summary>The run's data (null while the data source itself is being built).</summary>
    public TeachingData? Data { get; init; }

    public string? DataDirectory { get; init; }
    public Action<string>? Log { get; init; }
    public CancellationToken CancellationToken { get; init; }
}
