using System.Buffers.Binary;
using System.IO.Compression;

namespace Feynman.Data;

/// <summary>
/// Reads IDX files (the MNIST / Fashion-MNIST format), gzip-compressed or raw: a big-endian magic
/// number (0x0000 then type 0x08 = unsigned byte, then the number of dimensions), the dimensions as
/// big-endian int32, then the bytes. Every error names the file and what is wrong with it.
/// </summary>
public static class IdxReader
{
    /// <summary>Magic number of an IDX file of unsigned bytes with one dimension (labels).</summary>
    public const int LabelsMagic = 0x0801;

    /// <summary>Magic number of an IDX file of unsigned bytes with three dimensions (images).</summary>
    public const int ImagesMagic = 0x0803;

    /// <summary>Reads a label file: one byte per sample.</summary>
    public static byte[] ReadLabels(string path)
    {
        return Read(path, LabelsMagic, "labels").Data;
    }

    /// <summary>Reads an image file: <c>count</c> images of <c>rows</c> x <c>cols</c> bytes, row-major.</summary>
    public static (byte[] Pixels, int Count, int Rows, int Columns) ReadImages(string path)
    {
        var (dims, data) = Read(path, ImagesMagic, "images");
        return (data, dims[0], dims[1], dims[2]);
    }

    private static (int[] Dims, byte[] Data) Read(string path, int expectedMagic, string what)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX {what} file {path} does not exist.", path);
        using var file = File.OpenRead(path);
        Stream stream = file;
        // gzip starts with 0x1f 0x8b; an IDX file starts with two zero bytes, so the two cannot be confused.
        Span<byte> sniff = stackalloc byte[2];
        int sniffed = file.ReadAtLeast(sniff, 2, throwOnEndOfStream: false);
        file.Position = 0;
        if (sniffed == 2 && sniff[0] == 0x1f && sniff[1] == 0x8b) stream = new GZipStream(file, CompressionMode.Decompress);
        try
        {
            using (stream == file ? null : stream)
            {
                Span<byte> header = stackalloc byte[4];
                if (stream.ReadAtLeast(header, 4, throwOnEndOfStream: false) < 4)
                    throw new InvalidDataException($"IDX file {path} is truncated: it ends before its 4-byte magic number.");
                int magic = BinaryPrimitives.ReadInt32BigEndian(header);
                if (magic != expectedMagic)
                    throw new InvalidDataException(
                        $"IDX file {path} has magic number 0x{magic:X8}, expected 0x{expectedMagic:X8} ({what}: unsigned bytes, {expectedMagic & 0xff} dimension{(expectedMagic == LabelsMagic ? "" : "s")}).");
                int rank = expectedMagic & 0xff;
                var dims = new int[rank];
                Span<byte> dimBytes = stackalloc byte[4 * rank];
                if (stream.ReadAtLeast(dimBytes, dimBytes.Length, throwOnEndOfStream: false) < dimBytes.Length)
                    throw new InvalidDataException($"IDX file {path} is truncated: it ends inside its header of {rank} dimension(s).");
                long total = 1;
                for (int i = 0; i < rank; i++)
                {
                    dims[i] = BinaryPrimitives.ReadInt32BigEndian(dimBytes.Slice(4 * i, 4));
                    if (dims[i] < 0) throw new InvalidDataException($"IDX file {path} declares a negative dimension {dims[i]} (dimension {i}).");
                    total *= dims[i];
                }
                if (total > Array.MaxLength)
                    throw new InvalidDataException($"IDX file {path} declares {total} bytes ({string.Join(" x ", dims)}), more than one array can hold.");
                var data = GC.AllocateUninitializedArray<byte>((int)total);
                int read = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
                if (read < data.Length) throw Truncated(path, total, read, dims);
                return (dims, data);
            }
        }
        catch (InvalidDataException ex) when (!ex.Message.Contains(path, StringComparison.Ordinal))
        {
            // GZipStream reports a corrupt stream without saying which file it was reading.
            throw new InvalidDataException($"IDX file {path} is not a valid gzip stream: {ex.Message}", ex);
        }
    }

    private static InvalidDataException Truncated(string path, long expected, long actual, int[] dims) =>
        new($"IDX file {path} is truncated: its header declares {expected} data bytes ({string.Join(" x ", dims)}) but only {actual} follow.");
}
