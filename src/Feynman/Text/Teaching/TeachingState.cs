using System.Text.Json;
using System.Text.Json.Serialization;

namespace Feynman.Text.Teaching;

/// <summary>
/// The loop's checkpoint (state.json, written atomically after the seed labelling and after every round): the data so
/// far with ids and hashes, every hash seen (kept or rejected), the rounds done, the next round, and why it stopped. A
/// killed run resumes at the round it was in; that round's teacher calls come back from the cache.
/// </summary>
public sealed record TeachingState
{
    public const string FileName = "state.json";

    public int Version { get; init; } = 1;
    public IReadOnlyList<string> LabelNames { get; init; } = [];
    public bool SeedLabelled { get; set; }

    /// <summary>The next round to run.</summary>
    public int Round { get; set; }
    public List<TeachingExample> Examples { get; init; } = [];
    public SortedSet<string> Seen { get; init; } = new(StringComparer.Ordinal);
    public List<TeachingRound> Rounds { get; init; } = [];

    /// <summary>Seed texts the teacher could not label, by id, with the reason.</summary>
    public SortedDictionary<string, string> SeedRejected { get; init; } = new(StringComparer.Ordinal);
    public string? StopReason { get; set; }

    /// <summary>Teacher tokens and dollars of the seed labelling (as first paid; the rounds carry their own).</summary>
    public long SeedTeacherTokens { get; set; }
    public double SeedTeacherCost { get; set; }

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(this, Json));
        File.Move(tmp, path, overwrite: true);
    }

    public static TeachingState? TryLoad(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            var s = JsonSerializer.Deserialize<TeachingState>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty state file.");
            // The deserializer builds sorted collections with the culture's comparer; the loop's are ordinal.
            var rounds = s.Rounds.Select(r => r with { Rejected = new SortedDictionary<string, int>(r.Rejected, StringComparer.Ordinal) }).ToList();
            return s with
            {
                Seen = new SortedSet<string>(s.Seen, StringComparer.Ordinal),
                SeedRejected = new SortedDictionary<string, string>(s.SeedRejected, StringComparer.Ordinal),
                Rounds = rounds,
            };
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: not a teaching state file ({ex.Message}).", ex);
        }
    }
}
