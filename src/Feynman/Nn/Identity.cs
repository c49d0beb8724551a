using Feynman.Tensors;

namespace Feynman.Nn;

/// <summary>Returns its input (torch.nn.Identity): a placeholder when a layer is removed, e.g. a replaced classifier head.</summary>
public sealed class Identity : Module
{
    public override Tensor Forward(Tensor x) => x;
}
