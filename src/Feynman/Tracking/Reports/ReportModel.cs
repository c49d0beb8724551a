namespace Feynman.Tracking.Reports;

/// <summary>
/// What an HTML report shows, filled by the training code: facts about the run, the model table,
/// learning curves, confusion matrices and reliability diagrams. Every list may be empty.
/// </summary>
public sealed record ReportModel(
    string Title,
    IReadOnlyList<ModelResult> Models,
    IReadOnlyList<LearningCurve> Curves,
    IReadOnlyList<ConfusionReport> Confusions,
    IReadOnlyList<ReliabilityReport> Reliability)
{
    /// <summary>Label/value lines shown under the title (run id, recipe, seed, commit, date, ...).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Facts { get; init; } = [];

    /// <summary>Sentences shown above the table, e.g. how much of the gap distillation closed.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}
