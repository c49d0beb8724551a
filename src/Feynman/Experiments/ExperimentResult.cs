using System.Text.Json;
using System.Text.Json.Serialization;

namespace Feynman.Experiments;

/// <summary>Everything an experiment measured: written to results.json, read back by <c>feynman report</c>.</summary>
public sealed record ExperimentResult
{
    public required string Recipe { get; init; }

    public required string Paradigm { get; init; }

    public ulong Seed { get; init; }

    public long? RunId { get; init; }

    public string? GitCommit { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public IReadOnlyList<string> ClassNames { get; init; } = [];

    public List<ModelOutcome> Models { get; init; } = [];

    /// <summary>Derived sentences (gap closed by distillation, ...).</summary>
    public List<string> Notes { get; init; } = [];

    public bool Interrupted { get; init; }

    /// <summary>Named measurements of the paradigm (weak-to-strong PGR, accuracy per self-training round, ...).</summary>
    public SortedDictionary<string, double> Metrics { get; init; } = new(StringComparer.Ordinal);

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public void Save(string path)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(this, Json));
        File.Move(tmp, path, overwrite: true);
    }

    public static ExperimentResult Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"results file {path} does not exist.", path);
        try
        {
            return JsonSerializer.Deserialize<ExperimentResult>(File.ReadAllText(path), Json)
                   ?? throw new InvalidDataException($"{path}: empty results file.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: not a Feynman results file ({ex.Message}).", ex);
        }
    }

    /// <summary>The model with this role, if any.</summary>
    public ModelOutcome? ByRole(string role) => Models.FirstOrDefault(m => m.Role == role);
}
