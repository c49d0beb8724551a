using Feynman.Autograd;
using Feynman.Tensors;

namespace Feynman.Nn;

/// <summary>exp(x) / Σ exp(x) along <see cref="Dim"/>, computed stably (torch.nn.Softmax).</summary>
public sealed class Softmax(int dim) : Module
{
    public int Dim { get; } = dim;

    public override Tensor Forward(Tensor x) => Ops.Softmax(x, Dim);

    protected override string ExtraRepr() => $"dim={Dim}";
}
