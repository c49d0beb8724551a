using Feynman.Autograd;
using Feynman.Tensors;

namespace Feynman.Nn;

/// <summary>max(x, 0), elementwise (torch.nn.ReLU).</summary>
public sealed class ReLU : Module
{
    public override Tensor Forward(Tensor x) => Ops.Relu(x);
}
