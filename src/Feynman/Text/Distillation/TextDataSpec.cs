namespace Feynman.Text.Distillation;

/// <summary>
/// Where a text recipe's data comes from: a named source (<see cref="TextDataSources"/>, e.g. "spam-assassin")
/// or a JSONL/CSV file with its text and label fields; the held-out test share (a seeded split stratified by
/// group, else label) and the label whose precision/recall/F1 are reported.
/// </summary>
public sealed record TextDataSpec
{
    public string? Source { get; init; } = SpamAssassin.SourceName;

    public string? File { get; init; }

    public string TextField { get; init; } = "text";

    public string LabelField { get; init; } = "label";

    public IReadOnlyList<string>? Labels { get; init; }

    public double Test { get; init; } = 0.2;

    /// <summary>The label F1 is reported for (default: the second label, e.g. spam).</summary>
    public string? Positive { get; init; }

    /// <summary>Opens the data; a relative file is read relative to <paramref name="recipeFile"/>'s folder when it exists there.</summary>
    public TextDataset Open(string? recipeFile)
    {
        if (File is null) return TextDataSources.Open(Source ?? SpamAssassin.SourceName);
        var path = File;
        if (!Path.IsPathRooted(path) && recipeFile is not null && !System.IO.File.Exists(path))
        {
            var besideRecipe = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(recipeFile)) ?? ".", path);
            if (System.IO.File.Exists(besideRecipe)) path = besideRecipe;
        }
        return TextFiles.Load(path, TextField, LabelField, Labels);
    }
}
