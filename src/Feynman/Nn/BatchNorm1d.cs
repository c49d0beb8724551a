using Feynman.Tensors;

namespace Feynman.Nn;

/// <summary>Batch normalisation over [N, C] or [N, C, L] (torch.nn.BatchNorm1d); see <see cref="BatchNormBase"/>.</summary>
public sealed class BatchNorm1d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true)
    : BatchNormBase(numFeatures, eps, momentum, affine, trackRunningStats)
{
    protected override void CheckInput(Tensor x)
    {
        if (x.Rank is not (2 or 3)) throw new ArgumentException($"BatchNorm1d: expected 2D or 3D input [N, C] or [N, C, L], got {x.ShapeString}.");
    }
}
