using Feynman.Tensors;

namespace Feynman.Nn;

/// <summary>Batch normalisation over [N, C, H, W] (torch.nn.BatchNorm2d); see <see cref="BatchNormBase"/>.</summary>
public sealed class BatchNorm2d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true)
    : BatchNormBase(numFeatures, eps, momentum, affine, trackRunningStats)
{
    protected override void CheckInput(Tensor x)
    {
        if (x.Rank != 4) throw new ArgumentException($"BatchNorm2d: expected 4D input [N, C, H, W], got {x.ShapeString}.");
    }
}
