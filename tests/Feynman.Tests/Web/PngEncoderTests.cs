using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Feynman.Data;
using Feynman.Web;

namespace Feynman.Tests.Web;

public sealed class PngEncoderTests
{
    // An independent bit-by-bit CRC-32, to check the encoder's table-driven one.
    private static uint BitwiseCrc(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (uint)-(int)(crc & 1));
        }
        return ~crc;
    }

    private sealed record Decoded(int Width, int Height, int BitDepth, int ColourType, byte[] Rows, List<string> Chunks);

    // Reads a PNG as a browser would: signature, chunks with their CRCs, IHDR, the inflated IDAT data.
    private static Decoded Decode(byte[] png)
    {
        Assert.Equal(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 }, png[..8]);
        int at = 8, width = 0, height = 0, depth = 0, colour = 0;
        var idat = new MemoryStream();
        var chunks = new List<string>();
        while (at < png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            string type = Encoding.ASCII.GetString(png, at + 4, 4);
            var body = png.AsSpan(at + 8, length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length));
            Assert.Equal(BitwiseCrc(png.AsSpan(at + 4, 4 + length)), crc);
            chunks.Add(type);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(body);
                height = BinaryPrimitives.ReadInt32BigEndian(body[4..]);
                depth = body[8];
                colour = body[9];
                Assert.Equal(0, body[10]);
                Assert.Equal(0, body[11]);
                Assert.Equal(0, body[12]);
            }
            else if (type == "IDAT") idat.Write(body);
            at += 12 + length;
        }
        Assert.Equal(png.Length, at);
        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        var rows = new MemoryStream();
        z.CopyTo(rows);
        return new Decoded(width, height, depth, colour, rows.ToArray(), chunks);
    }

    private static byte[] Unfilter(Decoded d, int channels)
    {
        int stride = d.Width * channels;
        Assert.Equal(d.Height * (stride + 1), d.Rows.Length);
        var pixels = new byte[d.Height * stride];
        for (int y = 0; y < d.Height; y++)
        {
            Assert.Equal(0, d.Rows[y * (stride + 1)]);   // filter "none"
            d.Rows.AsSpan(y * (stride + 1) + 1, stride).CopyTo(pixels.AsSpan(y * stride));
        }
        return pixels;
    }

    [Fact]
    public void Crc32MatchesTheStandardCheckValue()
    {
        Assert.Equal(0xCBF43926u, PngEncoder.Crc32("123456789"u8));
        Assert.Equal(0u, PngEncoder.Crc32([]));
        var random = new byte[1000];
        new Random(3).NextBytes(random);
        Assert.Equal(BitwiseCrc(random), PngEncoder.Crc32(random));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(3, 2)]
    [InlineData(4, 6)]
    public void EncodedPixelsDecodeBackExactly(int channels, int colourType)
    {
        const int width = 13, height = 7;
        var pixels = new byte[width * height * channels];
        new Random(channels).NextBytes(pixels);
        var d = Decode(PngEncoder.Encode(pixels, width, height, channels));
        Assert.Equal(["IHDR", "IDAT", "IEND"], d.Chunks);
        Assert.Equal((width, height, 8, colourType), (d.Width, d.Height, d.BitDepth, d.ColourType));
        Assert.Equal(pixels, Unfilter(d, channels));
    }

    [Fact]
    public void BadSizesAreRefusedWithAMessage()
    {
        var e = Assert.Throws<ArgumentException>(() => PngEncoder.Encode(new byte[10], 4, 4, 1));
        Assert.Contains("16 bytes", e.Message);
        Assert.Throws<ArgumentException>(() => PngEncoder.Encode(new byte[8], 2, 2, 2));
        Assert.Throws<ArgumentException>(() => PngEncoder.Encode([], 0, 1, 1));
    }

    [Fact]
    public void DatasetImagesBecomeGreyOrColourPngs()
    {
        // Grey [1, 2, 3] in [0, 1]: byte = round(v * 255). Sample 1 of two.
        var grey = new ImageDataset("grey", [0, 0, 0, 0, 0, 0, 0f, 0.5f, 1f, 0.2f, 1f, 0.004f], [0, 1], [1, 2, 3], ["a", "b"]);
        var d = Decode(ItemImages.Png(grey, 1));
        Assert.Equal((3, 2, 0), (d.Width, d.Height, d.ColourType));
        Assert.Equal(new byte[] { 0, 128, 255, 51, 255, 1 }, Unfilter(d, 1));

        // Colour planes [3, 1, 2] outside [0, 1] (normalised): stretched from min (-1) to max (3), interleaved per pixel.
        var colour = new ImageDataset("rgb", [-1f, 3f, 1f, 1f, 0f, 2f], [0], [3, 1, 2], ["a"]);
        var c = Decode(ItemImages.Png(colour, 0));
        Assert.Equal((2, 1, 2), (c.Width, c.Height, c.ColourType));
        Assert.Equal(new byte[] { 0, 128, 64, 255, 128, 191 }, Unfilter(c, 3));

        var flat = new ImageDataset("flat", new float[4], [0], [4], ["a"]);
        Assert.False(ItemImages.CanRender(flat));
        Assert.Contains("not images", Assert.Throws<ArgumentException>(() => ItemImages.Png(flat, 0)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ItemImages.Png(grey, 2));
    }
}
