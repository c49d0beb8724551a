using System.Text.Json;
using System.Text.Json.Nodes;
using Feynman.Text.Labelling;

namespace Feynman.Text.Teaching;

/// <summary>
/// Reads labelled examples out of an LLM's answer, forgivingly: one JSON object per line (with or without a list
/// number, bullets or a trailing comma), a JSON array, or either inside a Markdown code fence. The text is the
/// "text" field (or "input", "message", "example"); the label the "label" field (a name, or a 0-based index). An
/// unknown label becomes -1 (the loop rejects it as an invalid label); lines that are not JSON objects are counted.
/// </summary>
public static class ExampleParsing
{
    private static readonly string[] TextKeys = ["text", "input", "message", "example", "email"];

    public static (List<(string Text, int Label)> Examples, int Unparsed) Parse(string answer, LabelMatcher labels)
    {
        var examples = new List<(string, int)>();
        int unparsed = 0;
        string body = StripFences(answer).Trim();
        if (body.StartsWith('['))
        {
            try
            {
                if (JsonNode.Parse(body) is JsonArray array)
                {
                    foreach (var item in array)
                        if (item is JsonObject o && Read(o, labels) is { } e) examples.Add(e);
                        else unparsed++;
                    return (examples, unparsed);
                }
            }
            catch (JsonException) { } // fall back to lines
        }
        foreach (var raw in body.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line is "[" or "]" || line.StartsWith("```", StringComparison.Ordinal)) continue;
            int open = line.IndexOf('{'), close = line.LastIndexOf('}');
            if (open < 0 || close < open) { unparsed++; continue; }
            try
            {
                if (JsonNode.Parse(line[open..(close + 1)]) is JsonObject o && Read(o, labels) is { } e) examples.Add(e);
                else unparsed++;
            }
            catch (JsonException) { unparsed++; }
        }
        return (examples, unparsed);
    }

    private static (string, int)? Read(JsonObject o, LabelMatcher labels)
    {
        string? text = null;
        foreach (var k in TextKeys)
            if (o.TryGetPropertyValue(k, out var t) && t is JsonValue v && v.TryGetValue<string>(out var s)) { text = s; break; }
        if (text is null) return null;
        int label = -1;
        if (o.TryGetPropertyValue("label", out var l) && l is JsonValue lv)
        {
            if (lv.TryGetValue<string>(out var name)) label = labels.Match(name);
            else if (lv.TryGetValue<int>(out var index) && index >= 0 && index < labels.LabelNames.Count) label = index;
        }
        return (text.Trim(), label);
    }

    private static string StripFences(string s)
    {
        int start = s.IndexOf("```", StringComparison.Ordinal);
        if (start < 0) return s;
        int lineEnd = s.IndexOf('\n', start);
        if (lineEnd < 0) return s;
        int end = s.IndexOf("```", lineEnd, StringComparison.Ordinal);
        return end < 0 ? s[(lineEnd + 1)..] : s[(lineEnd + 1)..end];
    }
}
