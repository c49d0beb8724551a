using System.Text.Json;
using System.Text.Json.Nodes;

namespace Feynman.Text.Teaching;

/// <summary>
/// The built-in "jsonl" data source of a teaching recipe: JSON-lines files named by the options <c>seed</c>, <c>dev</c>
/// (required), <c>test</c>, <c>train</c>, <c>unlabelled</c>, with the text in <c>text_field</c> (default "text") and the
/// label in <c>label_field</c> (default "label": a name, or a 0-based index). Relative paths are resolved against
/// the recipe's folder. Label names are the recipe's <c>labels</c>, or the sorted names found in the labelled files.
/// <c>seed_size</c> keeps a seeded sample of the seed texts.
/// </summary>
public static class JsonlTextSource
{
    public static TeachingData Open(TeachContext c)
    {
        var o = c.Component;
        string textField = o.Get("text_field") ?? "text", labelField = o.Get("label_field") ?? "label";
        string baseDir = o.Get("base_dir") ?? c.DataDirectory ?? Directory.GetCurrentDirectory();
        var raw = new Dictionary<string, List<(string Id, string Text, JsonNode? Label)>>();
        foreach (var key in new[] { "seed", "dev", "test", "train", "unlabelled" })
            if (o.Get(key) is { } p) raw[key] = Read(Path.IsPathRooted(p) ? p : Path.Combine(baseDir, p), textField, labelField);
        if (!raw.ContainsKey("seed")) throw new InvalidDataException("teach.data (jsonl): 'seed' names the JSONL file of texts the teacher labels first.");
        if (!raw.ContainsKey("dev")) throw new InvalidDataException("teach.data (jsonl): 'dev' names the labelled JSONL development set.");

        var names = c.Spec.Labels?.ToList() ?? raw.Where(kv => kv.Key is "dev" or "test" or "train")
            .SelectMany(kv => kv.Value).Select(r => r.Label).OfType<JsonValue>()
            .Where(v => v.TryGetValue<string>(out _)).Select(v => v.GetValue<string>()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (names.Count < 2) throw new InvalidDataException($"teach.data (jsonl): found {names.Count} label name(s); give 'labels' in the teach section or use string labels in the dev file.");

        List<TextExample>? Labelled(string key, bool required)
        {
            if (!raw.TryGetValue(key, out var rows)) return null;
            return rows.Select(r => new TextExample(r.Id, r.Text, LabelOf(r, names, o.Get(key)!, required))).ToList();
        }
        var seed = Labelled("seed", false)!;
        if (o.Get("seed_size") is not null)
        {
            int n = o.GetInt("seed_size", seed.Count);
            var rng = new Random(c.Seed);
            seed = seed.OrderBy(_ => rng.Next()).Take(n).OrderBy(e => e.Id, StringComparer.Ordinal).ToList();
        }
        return new TeachingData(names, seed, Labelled("dev", true)!)
        {
            Test = Labelled("test", true),
            Train = Labelled("train", true),
            Unlabelled = Labelled("unlabelled", false),
        };
    }

    private static int LabelOf((string Id, string Text, JsonNode? Label) r, List<string> names, string file, bool required)
    {
        int label = r.Label switch
        {
            JsonValue v when v.TryGetValue<string>(out var s) => names.FindIndex(n => string.Equals(n, s, StringComparison.OrdinalIgnoreCase)),
            JsonValue v when v.TryGetValue<int>(out var i) && i >= 0 && i < names.Count => i,
            _ => -1,
        };
        if (label < 0 && required)
            throw new InvalidDataException($"{file}: {r.Id} has label {r.Label?.ToJsonString() ?? "null"}, not one of [{string.Join(", ", names)}].");
        return label < 0 ? TextExample.Unlabelled : label;
    }

    private static List<(string, string, JsonNode?)> Read(string path, string textField, string labelField)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"teach.data: {path} does not exist.", path);
        var rows = new List<(string, string, JsonNode?)>();
        int line = 0;
        string name = Path.GetFileNameWithoutExtension(path);
        foreach (var l in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(l)) continue;
            JsonObject o;
            try { o = JsonNode.Parse(l) as JsonObject ?? throw new InvalidDataException($"{path}:{line}: not a JSON object."); }
            catch (JsonException ex) { throw new InvalidDataException($"{path}:{line}: not valid JSON ({ex.Message}).", ex); }
            if (o[textField] is not JsonValue tv || !tv.TryGetValue<string>(out var text))
                throw new InvalidDataException($"{path}:{line}: no string field '{textField}'.");
            string id = o["id"] is JsonValue iv ? iv.ToString() : $"{name}:{line}";
            rows.Add((id, text, o[labelField]?.DeepClone()));
        }
        return rows;
    }
}
