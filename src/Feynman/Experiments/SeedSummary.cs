using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Feynman.Experiments;

/// <summary>
/// One recipe run over several seeds: each model's test accuracy and each paradigm metric as mean ± sample
/// standard deviation, with the value of every seed. Written as summary.json and as a Markdown table.
/// </summary>
public sealed record SeedSummary
{
    public required string Recipe { get; init; }

    public required string Paradigm { get; init; }

    public required IReadOnlyList<ulong> Seeds { get; init; }

    public required IReadOnlyList<SeedStatistic> Models { get; init; }

    public required IReadOnlyList<SeedStatistic> Metrics { get; init; }

    public static SeedSummary Build(IReadOnlyList<ExperimentResult> runs)
    {
        if (runs.Count == 0) throw new ArgumentException("no runs to summarise.", nameof(runs));
        var first = runs[0];
        var models = first.Models.Select(m => SeedStatistic.Of(m.Name, m.Role,
            runs.Select(r => r.Models.FirstOrDefault(x => x.Name == m.Name)?.TestAccuracy ?? double.NaN))).ToList();
        var metrics = first.Metrics.Keys.Select(k => SeedStatistic.Of(k, "metric",
            runs.Select(r => r.Metrics.TryGetValue(k, out var v) ? v : double.NaN))).ToList();
        return new SeedSummary { Recipe = first.Recipe, Paradigm = first.Paradigm, Seeds = runs.Select(r => r.Seed).ToList(), Models = models, Metrics = metrics };
    }

    public void Save(string path)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(this, ExperimentResult.Json));
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Test accuracies (in %) and metrics as a Markdown table, for a README.</summary>
    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        string seeds = string.Join(", ", Seeds);
        sb.AppendLine(CultureInfo.InvariantCulture, $"| model | role | test accuracy, mean ± std (seeds {seeds}) | per seed |");
        sb.AppendLine("| --- | --- | --- | --- |");
        foreach (var m in Models)
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {m.Name} | {m.Role} | {m.Mean * 100:F2} ± {m.Std * 100:F2} % | {string.Join(", ", m.Values.Select(v => (v * 100).ToString("F2", CultureInfo.InvariantCulture)))} |");
        if (Metrics.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("| metric | mean ± std | per seed |");
            sb.AppendLine("| --- | --- | --- |");
            foreach (var m in Metrics)
                sb.AppendLine(CultureInfo.InvariantCulture, $"| {m.Name} | {m.Mean:F4} ± {m.Std:F4} | {string.Join(", ", m.Values.Select(v => v.ToString("F4", CultureInfo.InvariantCulture)))} |");
        }
        return sb.ToString();
    }
}
