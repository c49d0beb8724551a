using Feynman.Tensors;

namespace Feynman.Data;

/// <summary>torchvision's RandomHorizontalFlip: mirrors each row with probability <see cref="Probability"/>.</summary>
public sealed class RandomHorizontalFlip(double probability = 0.5) : ITransform
{
    public double Probability { get; } = probability is >= 0 and <= 1 ? probability : throw new ArgumentOutOfRangeException(nameof(probability), $"probability {probability} must be in [0, 1].");

    public void Apply(Span<float> sample, IReadOnlyList<int> shape, Generator rng)
    {
        var (channels, height, width) = ImageShape.Chw(shape, nameof(RandomHorizontalFlip));
        if (rng.NextDouble() >= Probability) return;
        for (int row = 0; row < channels * height; row++) sample.Slice(row * width, width).Reverse();
    }
}
