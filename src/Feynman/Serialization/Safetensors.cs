using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Feynman.Tensors;

namespace Feynman.Serialization;

/// <summary>
/// The safetensors format (Hugging Face), readable by PyTorch's <c>safetensors.torch.load_file</c>:
/// an 8-byte little-endian header length N, N bytes of JSON
/// <c>{"__metadata__": {str: str}, name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}}</c>
/// padded with spaces to a multiple of 8, then the little-endian data with no gaps. Files are written
/// as the reference implementation writes them (tensors sorted by name, compact JSON) and atomically
/// (a temporary file renamed over the target). Loading accepts F32 and converts F16, BF16, F64 and integer/bool tensors.
/// </summary>
public static class Safetensors
{
    private const long MaxHeaderBytes = 100_000_000; // the reference implementation's limit
    private const string MetadataKey = "__metadata__";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    // ---------------------------------------------------------------- writing

    /// <summary>Writes <paramref name="tensors"/> (and optional string <paramref name="metadata"/>) to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var ordered = tensors.OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
        foreach (var (name, t) in ordered)
        {
            if (name == MetadataKey) throw new ArgumentException($"a tensor cannot be named '{MetadataKey}'.");
            ArgumentNullException.ThrowIfNull(t, $"tensor '{name}'");
            if (t.IsDisposed) throw new ObjectDisposedException($"tensor '{name}' was disposed before it could be saved.");
        }
        var header = BuildHeader(ordered, metadata);

        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
                stream.Write(length);
                stream.Write(header);
                foreach (var (_, t) in ordered) WriteData(stream, t);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>The padded JSON header the reference implementation would write for these tensors.</summary>
    private static byte[] BuildHeader(List<KeyValuePair<string, Tensor>> ordered, IReadOnlyDictionary<string, string>? metadata)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
                    json.WriteString(k, v ?? throw new ArgumentException($"metadata '{k}' is null; safetensors metadata values are strings."));
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, t) in ordered)
            {
                long bytes = (long)t.Count * sizeof(float);
                json.WriteStartObject(name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (var d in t.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        int padding = (8 - buffer.WrittenCount % 8) % 8;
        var header = new byte[buffer.WrittenCount + padding];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    private static void WriteData(Stream stream, Tensor t)
    {
        ReadOnlySpan<float> values = t.IsContiguous ? t.ReadOnlySpan : t.ToArray();
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values));
            return;
        }
        Span<byte> four = stackalloc byte[4];
        foreach (var v in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(four, v);
            stream.Write(four);
        }
    }

    // ---------------------------------------------------------------- reading

    /// <summary>The tensors of a safetensors file, in file order, as float32 (created in the current <see cref="TensorScope"/>).</summary>
    public static OrderedDictionary<string, Tensor> Load(string path) => Read(path).Tensors;

    /// <summary>The tensors and the metadata of a safetensors file. Any defect gives a <see cref="SafetensorsFormatException"/>.</summary>
    public static SafetensorsFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var (entries, metadata, dataStart) = ReadHeader(path, stream);
        var tensors = new OrderedDictionary<string, Tensor>();
        try
        {
            foreach (var e in entries)
            {
                var t = Tensor.Empty(e.Shape);
                tensors[e.Name] = t;
                stream.Position = dataStart + e.Begin;
                ReadData(path, stream, e, t.Span);
            }
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return new SafetensorsFile(tensors, metadata);
    }

    /// <summary>Only the string metadata of a file (the tensors are not read).</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return ReadHeader(path, stream).Metadata;
    }

    private sealed record Entry(string Name, string DType, int[] Shape, long Begin, long End);

    private static (List<Entry> Entries, Dictionary<string, string> Metadata, long DataStart) ReadHeader(string path, FileStream stream)
    {
        long fileLength = stream.Length;
        if (fileLength < 8) throw new SafetensorsFormatException(path, $"the file is {fileLength} bytes, too short for the 8-byte header length.");
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (declared > MaxHeaderBytes)
            throw new SafetensorsFormatException(path, $"bad header length {declared}: larger than the {MaxHeaderBytes}-byte limit (file is {fileLength} bytes).");
        if ((long)declared > fileLength - 8)
            throw new SafetensorsFormatException(path, $"bad header length {declared}: the file has only {fileLength - 8} bytes after the length field (truncated?).");
        if (declared < 2) throw new SafetensorsFormatException(path, $"bad header length {declared}: too short for a JSON object.");
        var headerBytes = new byte[declared];
        stream.ReadExactly(headerBytes);
        long dataStart = 8 + (long)declared;
        long dataLength = fileLength - dataStart;

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(headerBytes);
        }
        catch (JsonException ex)
        {
            throw new SafetensorsFormatException(path, $"the header is not valid JSON ({ex.Message}).", ex);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new SafetensorsFormatException(path, $"the header is a JSON {doc.RootElement.ValueKind}, not an object.");
            var metadata = new Dictionary<string, string>();
            var entries = new List<Entry>();
            var names = new HashSet<string>();
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name)) throw new SafetensorsFormatException(path, $"the header names '{property.Name}' twice.");
                if (property.Name == MetadataKey)
                {
                    if (property.Value.ValueKind != JsonValueKind.Object)
                        throw new SafetensorsFormatException(path, $"{MetadataKey} must be an object of strings, not a {property.Value.ValueKind}.");
                    foreach (var m in property.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String)
                            throw new SafetensorsFormatException(path, $"metadata '{m.Name}' is a {m.Value.ValueKind}; safetensors metadata values are strings.");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                entries.Add(ParseEntry(path, property));
            }
            CheckLayout(path, entries, dataLength);
            return (entries, metadata, dataStart);
        }
    }

    private static Entry ParseEntry(string path, JsonProperty property)
    {
        string name = property.Name;
        var v = property.Value;
        if (v.ValueKind != JsonValueKind.Object) throw new SafetensorsFormatException(path, $"tensor '{name}' is a JSON {v.ValueKind}, not an object.");
        if (!v.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new SafetensorsFormatException(path, $"tensor '{name}' has no string \"dtype\".");
        string dtype = dtypeElement.GetString()!;
        if (ElementSize(dtype) == 0)
            throw new SafetensorsFormatException(path, $"tensor '{name}' has unknown or unsupported dtype '{dtype}' (supported: F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL).");
        if (!v.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new SafetensorsFormatException(path, $"tensor '{name}' has no \"shape\" array.");
        var shape = new List<int>();
        long count = 1;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int dim) || dim < 0)
                throw new SafetensorsFormatException(path, $"tensor '{name}' has an invalid dimension {d} in its shape.");
            shape.Add(dim);
            count *= dim;
            if (count > Array.MaxLength) throw new SafetensorsFormatException(path, $"tensor '{name}' has too many elements for one buffer.");
        }
        if (!v.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw new SafetensorsFormatException(path, $"tensor '{name}' has no \"data_offsets\" [begin, end].");
        if (!offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end) || begin < 0 || end < 0)
            throw new SafetensorsFormatException(path, $"tensor '{name}' has invalid data_offsets {offsets}.");
        if (end < begin) throw new SafetensorsFormatException(path, $"tensor '{name}' has data_offsets [{begin}, {end}] that end before they begin.");
        long needed = count * ElementSize(dtype);
        if (end - begin != needed)
            throw new SafetensorsFormatException(path, $"tensor '{name}' has data_offsets [{begin}, {end}] ({end - begin} bytes), but shape {TensorShape.Format(shape.ToArray())} of {dtype} needs {needed} bytes.");
        return new Entry(name, dtype, shape.ToArray(), begin, end);
    }

    /// <summary>As the reference implementation: tensors cover the data section exactly, in order, without gaps or overlaps.</summary>
    private static void CheckLayout(string path, List<Entry> entries, long dataLength)
    {
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expected = 0;
        Entry? previous = null;
        foreach (var e in entries)
        {
            if (e.End > dataLength)
                throw new SafetensorsFormatException(path, $"tensor '{e.Name}' has data_offsets [{e.Begin}, {e.End}] out of range: the data section holds {dataLength} bytes (file truncated?).");
            if (e.Begin < expected)
                throw new SafetensorsFormatException(path, $"tensors '{previous!.Name}' [{previous.Begin}, {previous.End}] and '{e.Name}' [{e.Begin}, {e.End}] overlap.");
            if (e.Begin > expected)
                throw new SafetensorsFormatException(path, $"a gap of {e.Begin - expected} bytes before tensor '{e.Name}' (data_offsets must cover the data without holes).");
            expected = e.End;
            previous = e;
        }
        if (expected != dataLength)
            throw new SafetensorsFormatException(path, $"the data section holds {dataLength} bytes but the tensors cover {expected} (trailing bytes).");
    }

    private static int ElementSize(string dtype) => dtype switch
    {
        "F64" or "I64" => 8,
        "F32" or "I32" => 4,
        "F16" or "BF16" or "I16" => 2,
        "I8" or "U8" or "BOOL" => 1,
        _ => 0,
    };

    private static void ReadData(string path, Stream stream, Entry e, Span<float> target)
    {
        try
        {
            if (e.DType == "F32")
            {
                stream.ReadExactly(MemoryMarshal.AsBytes(target));
                if (!BitConverter.IsLittleEndian)
                    foreach (ref var v in target) v = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReverseEndianness(BitConverter.SingleToInt32Bits(v)));
                return;
            }
            int size = ElementSize(e.DType);
            var bytes = ArrayPool<byte>.Shared.Rent(checked((int)(e.End - e.Begin)));
            try
            {
                var b = bytes.AsSpan(0, (int)(e.End - e.Begin));
                stream.ReadExactly(b);
                for (int i = 0; i < target.Length; i++)
                {
                    var s = b.Slice(i * size, size);
                    target[i] = e.DType switch
                    {
                        "F64" => (float)BinaryPrimitives.ReadDoubleLittleEndian(s),
                        "F16" => (float)BinaryPrimitives.ReadHalfLittleEndian(s),
                        "BF16" => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(s) << 16),
                        "I64" => BinaryPrimitives.ReadInt64LittleEndian(s),
                        "I32" => BinaryPrimitives.ReadInt32LittleEndian(s),
                        "I16" => BinaryPrimitives.ReadInt16LittleEndian(s),
                        "I8" => (sbyte)s[0],
                        "U8" => s[0],
                        _ => s[0] != 0 ? 1f : 0f, // BOOL
                    };
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
        }
        catch (EndOfStreamException ex)
        {
            throw new SafetensorsFormatException(path, $"the file ends inside tensor '{e.Name}' (truncated).", ex);
        }
    }
}
