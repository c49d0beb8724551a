using Feynman.Autograd;
using Feynman.Tensors;

namespace Feynman.Nn;

/// <summary>1 / (1 + e^−x), elementwise (torch.nn.Sigmoid).</summary>
public sealed class Sigmoid : Module
{
    public override Tensor Forward(Tensor x) => Ops.Sigmoid(x);
}
