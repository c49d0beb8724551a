using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Feynman.Synthesis.Storage;

/// <summary>Reads and writes instruction records: JSON Lines (one object per line) or one JSON array (alpaca_data.json).</summary>
public static class JsonRecords
{
    public static readonly JsonSerializerOptions LineOptions = new()
    {
        WriteIndented = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Every object in <paramref name="path"/>; a malformed line is reported with its file and line number.</summary>
    public static List<JsonObject> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"records file '{path}' does not exist.", path);
        var text = File.ReadAllText(path, Encoding.UTF8);
        var records = new List<JsonObject>();
        if (text.TrimStart().StartsWith('['))
        {
            JsonArray array;
            try { array = JsonNode.Parse(text)!.AsArray(); }
            catch (JsonException e) { throw new InvalidDataException($"{path}: not a valid JSON array: {e.Message}", e); }
            int i = 0;
            foreach (var node in array)
            {
                records.Add(node as JsonObject ?? throw new InvalidDataException($"{path}: element {i} is not a JSON object."));
                i++;
            }
            return records;
        }
        int lineNo = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonNode? node;
            try { node = JsonNode.Parse(line); }
            catch (JsonException e) { throw new InvalidDataException($"{path}:{lineNo}: not valid JSON: {e.Message}", e); }
            records.Add(node as JsonObject ?? throw new InvalidDataException($"{path}:{lineNo}: not a JSON object."));
        }
        return records;
    }

    /// <summary>The string field <paramref name="field"/> of each record, or a clear error naming the record.</summary>
    public static List<string> Field(IReadOnlyList<JsonObject> records, string field, string path)
    {
        var values = new List<string>(records.Count);
        for (int i = 0; i < records.Count; i++)
        {
            if (records[i][field] is not JsonValue v || !v.TryGetValue(out string? s))
                throw new InvalidDataException($"{path}: record {i + 1} has no string field '{field}'.");
            values.Add(s);
        }
        return values;
    }

    public static string ToLine(JsonNode node) => node.ToJsonString(LineOptions);

    /// <summary>Writes one record per line (UTF-8, no BOM).</summary>
    public static void WriteLines(string path, IEnumerable<JsonNode> records)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir != null) Directory.CreateDirectory(dir);
        using var w = new StreamWriter(path, false, new UTF8Encoding(false));
        foreach (var r in records) w.Write(ToLine(r) + "\n");
    }
}
