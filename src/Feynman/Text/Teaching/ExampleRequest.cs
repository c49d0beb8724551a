namespace Feynman.Text.Teaching;

/// <summary>What the closed teaching loop asks a teacher to write: <paramref name="Count"/> new labelled examples
/// aimed at the student's failures. <paramref name="Seed"/> makes local writers deterministic.</summary>
public sealed record ExampleRequest(
    IReadOnlyList<string> LabelNames,
    IReadOnlyList<StudentFailure> Failures,
    int Count,
    int Round,
    int Seed);
