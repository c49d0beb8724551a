using Feynman.Tensors;

namespace Feynman.Data;

/// <summary>
/// An in-place, seeded augmentation of one sample (torchvision's transforms). The loader gives each
/// batch its own generator derived from (seed, epoch, batch), so augmentations are reproducible and
/// a resumed run draws the same ones.
/// </summary>
public interface ITransform
{
    /// <summary>Transforms <paramref name="sample"/> of shape <paramref name="shape"/> ([C, H, W]) in place.</summary>
    void Apply(Span<float> sample, IReadOnlyList<int> shape, Generator rng);
}
