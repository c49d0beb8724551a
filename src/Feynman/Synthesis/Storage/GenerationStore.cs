using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Feynman.Synthesis.Storage;

/// <summary>
/// The append-only JSONL store of a generation run: every teacher response and every filtering decision is one
/// line, written and flushed as it happens, so a killed run loses at most the requests in flight. Records carry a
/// <c>type</c>; responses carry a unique <c>key</c> (stage/index) so a resumed run sends exactly the requests that
/// have no response yet. A torn last line (the process died mid-write) is cut off on open. Thread-safe appends.
/// </summary>
public sealed class GenerationStore : IDisposable
{
    private readonly FileStream _stream;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, JsonObject> _responses = new(StringComparer.Ordinal);
    private readonly HashSet<string> _marks = new(StringComparer.Ordinal);
    private readonly List<JsonObject> _records = [];

    private GenerationStore(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
    }

    public string Path { get; }

    /// <summary>Records loaded from a previous run (resume), in file order.</summary>
    public IReadOnlyList<JsonObject> Records => _records;

    /// <summary>Opens <paramref name="path"/>; an existing non-empty store is an error unless <paramref name="resume"/>.</summary>
    public static GenerationStore Open(string path, bool resume)
    {
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (dir != null) Directory.CreateDirectory(dir);
        bool exists = File.Exists(path) && new FileInfo(path).Length > 0;
        if (exists && !resume)
            throw new IOException($"store '{path}' already holds a run; pass --resume to continue it or choose another output.");
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var store = new GenerationStore(path, stream);
        if (exists) store.Load();
        stream.Seek(0, SeekOrigin.End);
        return store;
    }

    private void Load()
    {
        var bytes = new byte[_stream.Length];
        _stream.ReadExactly(bytes);
        long good = 0;
        int start = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != (byte)'\n') continue;
            var line = Encoding.UTF8.GetString(bytes, start, i - start);
            start = i + 1;
            if (line.Trim().Length == 0) { good = start; continue; }
            JsonObject? obj;
            try { obj = JsonNode.Parse(line) as JsonObject; }
            catch (JsonException) { obj = null; }
            if (obj == null) throw new InvalidDataException($"{Path}: line ending at byte {i} is not a JSON object; the store is damaged.");
            Index(obj);
            good = start;
        }
        // Anything after the last newline is a line the previous process did not finish writing.
        if (good < bytes.Length) _stream.SetLength(good);
    }

    private void Index(JsonObject r)
    {
        _records.Add(r);
        string? type = r["type"]?.GetValue<string>();
        string? key = r["key"]?.GetValue<string>();
        if (key == null) return;
        if (type == "response") _responses[key] = r;
        else _marks.Add(key);
    }

    public bool TryGetResponse(string key, out JsonObject response)
    {
        lock (_lock) return _responses.TryGetValue(key, out response!);
    }

    /// <summary>Whether a record other than a response with this key was written (derived records are keyed too).</summary>
    public bool HasMark(string key)
    {
        lock (_lock) return _marks.Contains(key);
    }

    /// <summary>Appends one record and flushes it to the operating system.</summary>
    public void Append(JsonObject record)
    {
        var bytes = Encoding.UTF8.GetBytes(JsonRecords.ToLine(record) + "\n");
        lock (_lock)
        {
            _stream.Write(bytes);
            _stream.Flush();
            string? type = record["type"]?.GetValue<string>();
            string? key = record["key"]?.GetValue<string>();
            if (key != null && type == "response") _responses[key] = record;
            else if (key != null) _marks.Add(key);
        }
    }

    /// <summary>Records that a step's derived records are written, so a resumed run does not write them twice.</summary>
    public void Mark(string key) => Append(new JsonObject { ["type"] = "mark", ["key"] = key });

    public void Dispose() => _stream.Dispose();
}
