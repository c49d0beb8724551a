using Feynman.Data;

namespace Feynman.Web;

/// <summary>Renders a dataset sample of shape [C, H, W] (C = 1 grey or 3 RGB) or [H, W] as a PNG.</summary>
public static class ItemImages
{
    /// <summary>True when samples of <paramref name="pool"/> can be drawn as pictures.</summary>
    public static bool CanRender(IDataset pool) => Layout(pool.SampleShape) is not null;

    /// <summary>
    /// The PNG of sample <paramref name="index"/>. Values already in [0, 1] (pixels/255) map to 0..255; other
    /// ranges (normalised inputs) are stretched from the sample's minimum to its maximum.
    /// </summary>
    public static byte[] Png(IDataset pool, int index)
    {
        if ((uint)index >= (uint)pool.Count) throw new ArgumentOutOfRangeException(nameof(index), $"item {index} is outside {pool.Name} (0..{pool.Count - 1}).");
        var (channels, height, width) = Layout(pool.SampleShape)
            ?? throw new ArgumentException($"{pool.Name}: samples of shape [{string.Join(", ", pool.SampleShape)}] are not images ([1 or 3, H, W] or [H, W]).");
        var values = new float[pool.SampleSize];
        pool.CopyInput(index, values);
        float min = TensorPrimitives.Min<float>(values), max = TensorPrimitives.Max<float>(values);
        bool unit = min >= 0 && max <= 1;
        float offset = unit ? 0 : min, scale = unit ? 255 : max > min ? 255 / (max - min) : 0;
        int plane = height * width;
        var pixels = new byte[plane * channels];
        // Samples are planar (C, H, W); PNG wants each pixel's channels together.
        for (int c = 0; c < channels; c++)
            for (int p = 0; p < plane; p++)
                pixels[p * channels + c] = (byte)Math.Clamp(MathF.Round((values[c * plane + p] - offset) * scale), 0, 255);
        return PngEncoder.Encode(pixels, width, height, channels);
    }

    private static (int Channels, int Height, int Width)? Layout(IReadOnlyList<int> shape) => shape.Count switch
    {
        3 when shape[0] is 1 or 3 => (shape[0], shape[1], shape[2]),
        2 => (1, shape[0], shape[1]),
        _ => null,
    };
}
