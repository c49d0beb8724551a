using System.Buffers.Binary;
using System.IO.Compression;

namespace Feynman.Web;

/// <summary>
/// A minimal PNG writer (8-bit grey, RGB or RGBA, no filtering): signature, IHDR, one zlib IDAT, IEND, each
/// chunk with its CRC-32. Enough to show dataset images in a browser without an imaging library.
/// </summary>
public static class PngEncoder
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>
    /// Encodes <paramref name="pixels"/> (row after row, <paramref name="channels"/> bytes per pixel: 1 grey,
    /// 3 RGB, 4 RGBA) as a PNG file.
    /// </summary>
    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int channels)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"a PNG needs a positive size, got {width}x{height}.");
        byte colourType = channels switch
        {
            1 => 0,
            3 => 2,
            4 => 6,
            _ => throw new ArgumentException($"PNG pixels have 1 (grey), 3 (RGB) or 4 (RGBA) channels, got {channels}.", nameof(channels)),
        };
        int stride = checked(width * channels);
        if (pixels.Length != (long)stride * height)
            throw new ArgumentException($"{width}x{height} pixels of {channels} channels need {(long)stride * height} bytes, got {pixels.Length}.", nameof(pixels));

        using var png = new MemoryStream();
        png.Write(Signature);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8;            // bits per channel
        header[9] = colourType;
        header[10] = 0;           // deflate
        header[11] = 0;           // adaptive filtering (each row says its filter: 0, none)
        header[12] = 0;           // not interlaced
        WriteChunk(png, "IHDR", header);

        using var data = new MemoryStream();
        using (var z = new ZLibStream(data, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (int y = 0; y < height; y++)
            {
                z.WriteByte(0);
                z.Write(pixels.Slice(y * stride, stride));
            }
        }
        WriteChunk(png, "IDAT", data.GetBuffer().AsSpan(0, (int)data.Length));
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>CRC-32 (ISO-HDLC, polynomial 0xEDB88320) as PNG chunks use it.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data) => Crc32(0xFFFFFFFFu, data) ^ 0xFFFFFFFFu;

    private static uint Crc32(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> body)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, body.Length);
        output.Write(word);
        Span<byte> typeBytes = stackalloc byte[4];
        for (int i = 0; i < 4; i++) typeBytes[i] = (byte)type[i];
        output.Write(typeBytes);
        output.Write(body);
        // The CRC covers the chunk type and body, not the length.
        uint crc = Crc32(Crc32(0xFFFFFFFFu, typeBytes), body) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        output.Write(word);
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
