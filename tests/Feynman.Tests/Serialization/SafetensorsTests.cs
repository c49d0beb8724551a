using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Feynman.Serialization;
using Feynman.Tensors;
using Feynman.Tests.Support;

namespace Feynman.Tests.Serialization;

public sealed class SafetensorsTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("feynman-safetensors-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "serialization", name);

    private static Dictionary<string, Tensor> Sample()
    {
        var rng = new Generator(11);
        return new Dictionary<string, Tensor>
        {
            ["layer.weight"] = Tensor.Randn(rng, 3, 5),
            ["layer.bias"] = Tensor.Randn(rng, 3),
            ["a_scalar"] = Tensor.Scalar(-1.25f),
            ["empty"] = Tensor.Zeros(0, 4),
            ["strided"] = Tensor.Randn(rng, 4, 2).Transpose(0, 1),
        };
    }

    [Fact]
    public void RoundTripKeepsNamesShapesValuesAndMetadata()
    {
        var path = Path.Combine(dir, "model.safetensors");
        var tensors = Sample();
        Safetensors.Save(path, tensors, new Dictionary<string, string> { ["epoch"] = "3", ["note"] = "ünïcode ok" });
        var file = Safetensors.Read(path);
        Assert.Equal(tensors.Keys.Order(StringComparer.Ordinal), file.Tensors.Keys);
        foreach (var (name, t) in tensors)
        {
            Assert.Equal(t.Shape.ToArray(), file.Tensors[name].Shape.ToArray());
            Assert.Equal(t.ToArray(), file.Tensors[name].ToArray());
        }
        Assert.Equal("3", file.Metadata["epoch"]);
        Assert.Equal("ünïcode ok", file.Metadata["note"]);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    /// <summary>Parses a Feynman-written file with code independent of the reader, against the specification.</summary>
    [Fact]
    public void WrittenFileFollowsTheSpecification()
    {
        var path = Path.Combine(dir, "spec.safetensors");
        var tensors = Sample();
        Safetensors.Save(path, tensors, new Dictionary<string, string> { ["k"] = "v" });
        var bytes = File.ReadAllBytes(path);
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, (8 + n) % 8); // padded as the reference implementation pads
        var headerText = Encoding.UTF8.GetString(bytes, 8, (int)n);
        var trimmed = headerText.TrimEnd(' ');
        Assert.EndsWith("}", trimmed);
        Assert.InRange(headerText.Length - trimmed.Length, 0, 7);
        Assert.StartsWith("{\"__metadata__\":{\"k\":\"v\"},", headerText);
        Assert.DoesNotContain("\n", headerText);
        using var header = JsonDocument.Parse(headerText);
        var names = header.RootElement.EnumerateObject().Select(p => p.Name).Where(k => k != "__metadata__").ToList();
        Assert.Equal(tensors.Keys.Order(StringComparer.Ordinal), names);
        long expectedBegin = 0;
        var data = bytes.AsSpan(8 + (int)n);
        foreach (var name in names)
        {
            var entry = header.RootElement.GetProperty(name);
            Assert.Equal("F32", entry.GetProperty("dtype").GetString());
            var shape = entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.Equal(tensors[name].Shape.ToArray(), shape);
            long begin = entry.GetProperty("data_offsets")[0].GetInt64(), end = entry.GetProperty("data_offsets")[1].GetInt64();
            Assert.Equal(expectedBegin, begin);
            Assert.Equal(tensors[name].Count * 4L, end - begin);
            var values = new float[tensors[name].Count];
            for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(data.Slice((int)begin + 4 * i, 4));
            Assert.Equal(tensors[name].ToArray(), values);
            expectedBegin = end;
        }
        Assert.Equal(data.Length, expectedBegin);
    }

    [Fact]
    public void ResavingAPyTorchWrittenFileGivesTheSameBytes()
    {
        var source = FixturePath("torch_f32.safetensors");
        var file = Safetensors.Read(source);
        var copy = Path.Combine(dir, "copy.safetensors");
        Safetensors.Save(copy, file.Tensors, file.Metadata);
        Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(copy));
    }

    [Fact]
    public void ReadsPyTorchTensorsOfEveryDtype()
    {
        var file = Safetensors.Read(FixturePath("torch_mixed.safetensors"));
        var expected = Fixture.Load("serialization/torch_mixed.json")["mixed"];
        Assert.Equal(8, file.Tensors.Count);
        foreach (var (name, t) in file.Tensors)
        {
            Assert.Equal(expected.Shape(name), t.Shape.ToArray());
            Assert.Equal(expected.Data(name), t.ToArray());
        }
        Assert.Equal(42f, file.Tensors["bn.num_batches_tracked"].Item());
        Assert.Equal("pytorch", file.Metadata["source"]);
        Assert.Equal("pt", Safetensors.ReadMetadata(FixturePath("torch_mixed.safetensors"))["format"]);
    }

    [RequiresTorchFact]
    public void PyTorchReadsAFeynmanWrittenFile()
    {
        var path = Path.Combine(dir, "for_torch.safetensors");
        var tensors = Sample();
        Safetensors.Save(path, tensors, new Dictionary<string, string> { ["epoch"] = "7" });
        var script = Path.Combine(RequiresTorchFactAttribute.ReferenceFolder(), "safetensors_io.py");
        var psi = new ProcessStartInfo(RequiresTorchFactAttribute.Python, [script, path, "--require-padding"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(script)!,
        };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"the Python reader rejected the file: {stderr}");
        using var doc = JsonDocument.Parse(stdout.Result);
        Assert.Equal("7", doc.RootElement.GetProperty("metadata").GetProperty("epoch").GetString());
        var read = doc.RootElement.GetProperty("tensors");
        Assert.Equal(tensors.Count, read.EnumerateObject().Count());
        foreach (var (name, t) in tensors)
        {
            var e = read.GetProperty(name);
            Assert.Equal("F32", e.GetProperty("dtype").GetString());
            Assert.Equal(t.Shape.ToArray(), e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray());
            Assert.Equal(t.ToArray(), e.GetProperty("data").EnumerateArray().Select(x => (float)x.GetDouble()).ToArray());
        }
    }

    [Fact]
    public void SavingReplacesAtomicallyAndAFailedSaveLeavesTheOldFile()
    {
        var path = Path.Combine(dir, "w.safetensors");
        Safetensors.Save(path, new Dictionary<string, Tensor> { ["a"] = Tensor.Ones(2) });
        Safetensors.Save(path, new Dictionary<string, Tensor> { ["b"] = Tensor.Full(3f, 3) });
        Assert.Equal(["b"], Safetensors.Load(path).Keys);
        var before = File.ReadAllBytes(path);
        var dead = Tensor.Ones(2);
        dead.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Safetensors.Save(path, new Dictionary<string, Tensor> { ["c"] = dead }));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(dir));
    }

    // ---------------------------------------------------------------- corrupt files

    private string WriteRaw(string name, string header, int dataBytes, long? declaredLength = null, bool pad = true)
    {
        var h = Encoding.UTF8.GetBytes(header);
        if (pad) h = [.. h, .. Enumerable.Repeat((byte)' ', (8 - h.Length % 8) % 8)];
        var bytes = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)(declaredLength ?? h.Length));
        h.CopyTo(bytes, 8);
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static void AssertCorrupt(string path, string problem)
    {
        var ex = Assert.Throws<SafetensorsFormatException>(() => Safetensors.Read(path));
        Assert.Equal(path, ex.Path);
        Assert.Contains(path, ex.Message);
        Assert.Contains(problem, ex.Problem);
    }

    [Fact]
    public void FileShorterThanTheLengthField()
    {
        var path = Path.Combine(dir, "short.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        AssertCorrupt(path, "too short for the 8-byte header length");
    }

    [Fact]
    public void BadHeaderLength()
    {
        AssertCorrupt(WriteRaw("huge.safetensors", "{}", 0, declaredLength: 1L << 40), "bad header length");
        AssertCorrupt(WriteRaw("beyond.safetensors", "{}", 0, declaredLength: 9), "bad header length 9: the file has only 8 bytes");
    }

    [Fact]
    public void InvalidJson()
    {
        AssertCorrupt(WriteRaw("json.safetensors", "{\"a\": {\"dtype\": ", 0), "not valid JSON");
        AssertCorrupt(WriteRaw("array.safetensors", "[1, 2]", 0), "not an object");
        AssertCorrupt(WriteRaw("meta.safetensors", "{\"__metadata__\": {\"epoch\": 3}}", 0), "metadata 'epoch' is a Number");
        AssertCorrupt(WriteRaw("fields.safetensors", "{\"a\": {\"dtype\": \"F32\", \"shape\": [2]}}", 8), "no \"data_offsets\"");
    }

    [Fact]
    public void UnknownDtype()
    {
        AssertCorrupt(WriteRaw("dtype.safetensors", "{\"a\": {\"dtype\": \"F99\", \"shape\": [2], \"data_offsets\": [0, 8]}}", 8), "unknown or unsupported dtype 'F99'");
    }

    [Fact]
    public void OffsetsOutOfRangeOrTruncatedData()
    {
        var path = Path.Combine(dir, "cut.safetensors");
        Safetensors.Save(path, new Dictionary<string, Tensor> { ["a"] = Tensor.Ones(4), ["b"] = Tensor.Ones(8) });
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^5]);
        AssertCorrupt(path, "out of range: the data section holds 43 bytes (file truncated?)");
        AssertCorrupt(WriteRaw("range.safetensors", "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8, 16]}}", 8), "out of range");
    }

    [Fact]
    public void OverlappingOrGappedOffsets()
    {
        AssertCorrupt(WriteRaw("overlap.safetensors",
            "{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}, \"b\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [8, 24]}}", 24),
            "'a' [0, 16] and 'b' [8, 24] overlap");
        AssertCorrupt(WriteRaw("gap.safetensors",
            "{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}, \"b\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [20, 36]}}", 36),
            "a gap of 4 bytes before tensor 'b'");
        AssertCorrupt(WriteRaw("trailing.safetensors", "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 12), "trailing bytes");
    }

    [Fact]
    public void OffsetsThatDoNotFitTheShape()
    {
        AssertCorrupt(WriteRaw("size.safetensors", "{\"a\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 16]}}", 16),
            "shape [3] of F32 needs 12 bytes");
        AssertCorrupt(WriteRaw("reversed.safetensors", "{\"a\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [8, 0]}}", 8),
            "end before they begin");
        AssertCorrupt(WriteRaw("negdim.safetensors", "{\"a\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", 4),
            "invalid dimension -1");
    }
}
