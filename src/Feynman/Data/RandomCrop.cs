using Feynman.Tensors;

namespace Feynman.Data;

/// <summary>
/// torchvision's RandomCrop(size = input size, padding): zero-pads each side by <see cref="Padding"/>
/// and crops back to the input size at a random offset, i.e. shifts the image by up to
/// ±<see cref="Padding"/> pixels in each direction with zeros filling in.
/// </summary>
public sealed class RandomCrop(int padding) : ITransform
{
    private float[] scratch = [];

    public int Padding { get; } = padding >= 0 ? padding : throw new ArgumentOutOfRangeException(nameof(padding), $"padding {padding} must be >= 0.");

    public void Apply(Span<float> sample, IReadOnlyList<int> shape, Generator rng)
    {
        var (channels, height, width) = ImageShape.Chw(shape, nameof(RandomCrop));
        // Top-left corner of the crop inside the padded image, as torchvision draws it.
        int top = rng.NextInt(2 * Padding + 1), left = rng.NextInt(2 * Padding + 1);
        int dy = top - Padding, dx = left - Padding;
        if (dy == 0 && dx == 0) return;
        if (scratch.Length < sample.Length) scratch = new float[sample.Length];
        var source = scratch.AsSpan(0, sample.Length);
        sample.CopyTo(source);
        sample.Clear();
        // out[y, x] = in[y + dy, x + dx] where that lies inside the image.
        int x0 = Math.Max(0, -dx), x1 = Math.Min(width, width - dx);
        if (x1 <= x0) return;
        for (int c = 0; c < channels; c++)
            for (int y = Math.Max(0, -dy); y < Math.Min(height, height - dy); y++)
            {
                int plane = c * height * width;
                source.Slice(plane + (y + dy) * width + x0 + dx, x1 - x0).CopyTo(sample.Slice(plane + y * width + x0));
            }
    }
}
