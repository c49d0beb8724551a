using Feynman.Paradigms.LabelQuality;

namespace Feynman.Experiments;

/// <summary>
/// The outcome of <see cref="LabelCheck"/>: confident learning's report, and when labels were flipped on
/// purpose, how many and the precision and recall of the flagged samples against the flips.
/// </summary>
public sealed record LabelCheckResult(LabelIssueReport Report, int Samples, IReadOnlyList<string> ClassNames)
{
    public int? Flipped { get; init; }

    public double? Precision { get; init; }

    public double? Recall { get; init; }
}
