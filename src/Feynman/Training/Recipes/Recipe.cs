using System.Text.Json;
using System.Text.Json.Serialization;

namespace Feynman.Training.Recipes;

/// <summary>
/// A parsed recipe: what to train, on what data, how, and which lesson connects teachers and student.
/// Sections a paradigm does not use are null or empty. <see cref="Source"/> is the YAML text as given.
/// </summary>
public sealed record Recipe(
    string Name,
    string Paradigm,
    ulong Seed,
    DataSpec Data,
    TrainingSpec Training,
    IReadOnlyList<ModelSection> Teachers,
    ModelSection? Student,
    ModelSection? Model,
    DistillationSpec? Distillation)
{
    public string? Description { get; init; }

    [JsonIgnore]
    public string Source { get; init; } = "";

    /// <summary>Sections of registered paradigms (<see cref="RecipeParser.RegisterSection"/>), by key, as their parsers returned them.</summary>
    public IReadOnlyDictionary<string, object> Sections { get; init; } = new Dictionary<string, object>();

    /// <summary>The registered section <paramref name="key"/> as <typeparamref name="T"/>, or null when the recipe lacks it.</summary>
    public T? Section<T>(string key) where T : class => Sections.TryGetValue(key, out var value) ? (T)value : null;

    public string? File { get; init; }

    /// <summary>Every model of the recipe: teachers, then the student, then a supervised recipe's model.</summary>
    [JsonIgnore]
    public IEnumerable<ModelSection> AllModels =>
        Teachers.Concat(Student is null ? [] : [Student]).Concat(Model is null ? [] : [Model]);

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The resolved recipe (defaults filled in, sizes inferred) as JSON, for the run record.</summary>
    public string ToResolvedJson() => JsonSerializer.Serialize(this, JsonOptions);
}
