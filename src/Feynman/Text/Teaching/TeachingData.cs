namespace Feynman.Text.Teaching;

/// <summary>
/// The data of a teaching run: <see cref="Seed"/> texts the teacher labels first (their own labels are not used),
/// the labelled development set the student's failures come from, an optional labelled test set for the report,
/// labelled <see cref="Train"/> data a local teacher may learn from, and an <see cref="Unlabelled"/> corpus a local
/// generator may learn from.
/// </summary>
public sealed record TeachingData(IReadOnlyList<string> LabelNames, IReadOnlyList<TextExample> Seed, IReadOnlyList<TextExample> Dev)
{
    public IReadOnlyList<TextExample>? Test { get; init; }
    public IReadOnlyList<TextExample>? Train { get; init; }
    public IReadOnlyList<TextExample>? Unlabelled { get; init; }
}
