using System.Text;
using System.Text.Json;

namespace Feynman.Text;

/// <summary>
/// Reads labelled texts from JSONL (one JSON object per line) and CSV (a header row naming the fields, RFC 4180
/// quoting). The caller names the text field and the label field; labels are read as strings and mapped to
/// label indices in the order of <c>labelNames</c> when given (other labels are errors), else in first-seen order.
/// Errors name the file, the line and the field.
/// </summary>
public static class TextFiles
{
    /// <summary>Loads a .jsonl or .csv file by its extension.</summary>
    public static TextDataset Load(string path, string textField, string labelField, IReadOnlyList<string>? labelNames = null, string? name = null) =>
        Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".jsonl" or ".ndjson" or ".json" => LoadJsonl(path, textField, labelField, labelNames, name),
            ".csv" => LoadCsv(path, textField, labelField, labelNames, name),
            var ext => throw new ArgumentException($"{path}: unknown text file type '{ext}'; give a .jsonl or a .csv file.", nameof(path)),
        };

    public static TextDataset LoadJsonl(string path, string textField, string labelField, IReadOnlyList<string>? labelNames = null, string? name = null)
    {
        CheckFile(path);
        var labels = new LabelMap(path, labelNames);
        var examples = new List<TextExample>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonDocument doc;
            try { doc = JsonDocument.Parse(line); }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: not a valid JSON object ({ex.Message}).", ex);
            }
            using (doc)
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                    throw new InvalidDataException($"{path}:{lineNumber}: expected a JSON object, found {doc.RootElement.ValueKind}.");
                string text = Field(doc.RootElement, textField, path, lineNumber, "text");
                string label = Field(doc.RootElement, labelField, path, lineNumber, "label");
                examples.Add(new TextExample($"{Path.GetFileName(path)}:{lineNumber}", text, labels.Index(label, lineNumber, labelField)));
            }
        }
        if (examples.Count == 0) throw new InvalidDataException($"{path}: no examples (the file has no non-empty lines).");
        return new TextDataset(name ?? Path.GetFileNameWithoutExtension(path), labels.Names, examples);
    }

    public static TextDataset LoadCsv(string path, string textField, string labelField, IReadOnlyList<string>? labelNames = null, string? name = null)
    {
        CheckFile(path);
        var labels = new LabelMap(path, labelNames);
        var examples = new List<TextExample>();
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var csv = new CsvReader(reader, path);
        var header = csv.ReadRecord(out _) ?? throw new InvalidDataException($"{path}: the file is empty (expected a header row naming the fields).");
        int textColumn = Column(header, textField, path, "text");
        int labelColumn = Column(header, labelField, path, "label");
        while (csv.ReadRecord(out int line) is { } record)
        {
            if (record.Count == 1 && record[0].Length == 0) continue; // blank line
            if (record.Count != header.Count)
                throw new InvalidDataException($"{path}:{line}: {record.Count} fields, but the header has {header.Count}.");
            examples.Add(new TextExample($"{Path.GetFileName(path)}:{line}", record[textColumn], labels.Index(record[labelColumn], line, labelField)));
        }
        if (examples.Count == 0) throw new InvalidDataException($"{path}: no examples below the header row.");
        return new TextDataset(name ?? Path.GetFileNameWithoutExtension(path), labels.Names, examples);
    }

    private static void CheckFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"text file {path} does not exist.", path);
    }

    private static string Field(JsonElement obj, string field, string path, int line, string role)
    {
        if (!obj.TryGetProperty(field, out var value))
            throw new InvalidDataException($"{path}:{line}: no {role} field '{field}' (fields: {string.Join(", ", obj.EnumerateObject().Select(p => p.Name))}).");
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            _ => throw new InvalidDataException($"{path}:{line}: {role} field '{field}' is {value.ValueKind}; expected a string (or, for a label, a number)."),
        };
    }

    private static int Column(IReadOnlyList<string> header, string field, string path, string role)
    {
        for (int i = 0; i < header.Count; i++)
            if (header[i] == field) return i;
        throw new InvalidDataException($"{path}:1: no {role} field '{field}' in the header (fields: {string.Join(", ", header)}).");
    }

    /// <summary>Label strings to indices: the given label set, or first-seen order.</summary>
    private sealed class LabelMap(string path, IReadOnlyList<string>? given)
    {
        private readonly List<string> names = given?.ToList() ?? [];
        private readonly Dictionary<string, int> index = (given ?? []).Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);

        public IReadOnlyList<string> Names => names;

        public int Index(string label, int line, string field)
        {
            if (index.TryGetValue(label, out int i)) return i;
            if (given is not null)
                throw new InvalidDataException($"{path}:{line}: label '{label}' in field '{field}' is not one of the label set ({string.Join(", ", given)}).");
            index[label] = names.Count;
            names.Add(label);
            return names.Count - 1;
        }
    }

    /// <summary>RFC 4180 records: comma-separated, fields in double quotes may hold commas, quotes ("") and newlines.</summary>
    private sealed class CsvReader(TextReader reader, string path)
    {
        private int line; // lines consumed so far

        public List<string>? ReadRecord(out int startLine)
        {
            startLine = line + 1;
            int c = reader.Peek();
            if (c < 0) return null;
            var fields = new List<string>();
            var field = new StringBuilder();
            bool quoted = false, wasQuoted = false;
            while (true)
            {
                c = reader.Read();
                if (quoted)
                {
                    if (c < 0) throw new InvalidDataException($"{path}:{startLine}: a quoted field is not closed before the end of the file.");
                    if (c == '"')
                    {
                        if (reader.Peek() == '"') { reader.Read(); field.Append('"'); }
                        else quoted = false;
                    }
                    else
                    {
                        if (c == '\n') line++;
                        field.Append((char)c);
                    }
                    continue;
                }
                if (c < 0 || c == '\n' || c == '\r')
                {
                    if (c == '\r' && reader.Peek() == '\n') reader.Read();
                    if (c >= 0) line++;
                    fields.Add(field.ToString());
                    return fields;
                }
                if (c == ',')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                    wasQuoted = false;
                }
                else if (c == '"' && field.Length == 0 && !wasQuoted)
                {
                    quoted = wasQuoted = true;
                }
                else if (c == '"')
                {
                    throw new InvalidDataException($"{path}:{line + 1}: a double quote inside an unquoted field (quote the field and double the quote: \"\").");
                }
                else field.Append((char)c);
            }
        }
    }
}
