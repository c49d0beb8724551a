using Feynman.Autograd;
using Feynman.Tensors;

namespace Feynman.Nn;

/// <summary>tanh(x), elementwise (torch.nn.Tanh).</summary>
public sealed class Tanh : Module
{
    public override Tensor Forward(Tensor x) => Ops.Tanh(x);
}
