using System.Buffers.Binary;
using System.IO.Compression;

namespace Feynman.Tests.Data;

/// <summary>Writes small IDX files (gzip or raw) for tests, optionally broken in a chosen way.</summary>
internal static class IdxFiles
{
    public static string TempDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "feynman-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static byte[] Bytes(int magic, int[] dims, byte[] data)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    public static void Write(string path, byte[] bytes, bool gzip)
    {
        if (!gzip) { File.WriteAllBytes(path, bytes); return; }
        using var file = File.Create(path);
        using var z = new GZipStream(file, CompressionLevel.Fastest);
        z.Write(bytes);
    }

    /// <summary>A tiny Fashion-MNIST-shaped set: count images of rows x cols with pixel (i, p) = (i * 7 + p) % 256.</summary>
    public static void WriteSet(string dir, string prefix, int count, int rows, int cols, bool gzip, int? labelCount = null)
    {
        var pixels = new byte[count * rows * cols];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)((i / (rows * cols) * 7 + i % (rows * cols)) % 256);
        int nLabels = labelCount ?? count;
        var labels = new byte[nLabels];
        for (int i = 0; i < nLabels; i++) labels[i] = (byte)(i % 10);
        string ext = gzip ? ".gz" : "";
        Write(Path.Combine(dir, $"{prefix}-images-idx3-ubyte{ext}"), Bytes(0x0803, [count, rows, cols], pixels), gzip);
        Write(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte{ext}"), Bytes(0x0801, [nLabels], labels), gzip);
    }
}
