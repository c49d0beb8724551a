using Feynman.Tensors;

namespace Feynman.Data;

/// <summary>
/// torchvision's RandomResizedCrop at the input's own size: a crop covering a random share in
/// [<see cref="MinScale"/>, <see cref="MaxScale"/>] of the area, with aspect ratio in [3/4, 4/3] (log-uniform),
/// resized back to H×W bilinearly (align_corners = false). SimCLR's most important augmentation.
/// </summary>
public sealed class RandomResizedCrop : ITransform
{
    private float[] scratch = [];

    public RandomResizedCrop(double minScale = 0.08, double maxScale = 1.0)
    {
        if (!(minScale > 0 && minScale <= maxScale && maxScale <= 1))
            throw new ArgumentOutOfRangeException(nameof(minScale), $"crop scale [{minScale}, {maxScale}] must satisfy 0 < min <= max <= 1.");
        MinScale = minScale;
        MaxScale = maxScale;
    }

    public double MinScale { get; }

    public double MaxScale { get; }

    public void Apply(Span<float> sample, IReadOnlyList<int> shape, Generator rng)
    {
        var (channels, height, width) = ImageShape.Chw(shape, nameof(RandomResizedCrop));
        var (top, left, h, w) = Box(height, width, rng);
        if (h == height && w == width) return;
        if (scratch.Length < sample.Length) scratch = new float[sample.Length];
        var source = scratch.AsSpan(0, sample.Length);
        sample.CopyTo(source);
        float sy = (float)h / height, sx = (float)w / width;
        for (int y = 0; y < height; y++)
        {
            // Pixel centres of the output mapped into the crop, clamped to its edge.
            float fy = Math.Clamp((y + 0.5f) * sy - 0.5f, 0, h - 1);
            int y0 = (int)fy, y1 = Math.Min(y0 + 1, h - 1);
            float wy = fy - y0;
            for (int x = 0; x < width; x++)
            {
                float fx = Math.Clamp((x + 0.5f) * sx - 0.5f, 0, w - 1);
                int x0 = (int)fx, x1 = Math.Min(x0 + 1, w - 1);
                float wx = fx - x0;
                for (int c = 0; c < channels; c++)
                {
                    var plane = source.Slice(c * height * width, height * width);
                    int r0 = (top + y0) * width + left, r1 = (top + y1) * width + left;
                    float upper = plane[r0 + x0] + wx * (plane[r0 + x1] - plane[r0 + x0]);
                    float bottom = plane[r1 + x0] + wx * (plane[r1 + x1] - plane[r1 + x0]);
                    sample[c * height * width + y * width + x] = upper + wy * (bottom - upper);
                }
            }
        }
    }

    /// <summary>The crop box as torchvision draws it: 10 tries at a random area and ratio, else the whole image.</summary>
    private (int Top, int Left, int H, int W) Box(int height, int width, Generator rng)
    {
        double area = height * width, logLo = Math.Log(3.0 / 4), logHi = Math.Log(4.0 / 3);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = area * (MinScale + (MaxScale - MinScale) * rng.NextDouble());
            double ratio = Math.Exp(logLo + (logHi - logLo) * rng.NextDouble());
            int w = (int)Math.Round(Math.Sqrt(target * ratio)), h = (int)Math.Round(Math.Sqrt(target / ratio));
            if (w > 0 && h > 0 && w <= width && h <= height)
                return (rng.NextInt(height - h + 1), rng.NextInt(width - w + 1), h, w);
        }
        return (0, 0, height, width);
    }
}
