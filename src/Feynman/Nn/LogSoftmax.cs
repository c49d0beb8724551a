using Feynman.Autograd;
using Feynman.Tensors;

namespace Feynman.Nn;

/// <summary>x − log Σ exp(x) along <see cref="Dim"/>, computed stably (torch.nn.LogSoftmax).</summary>
public sealed class LogSoftmax(int dim) : Module
{
    public int Dim { get; } = dim;

    public override Tensor Forward(Tensor x) => Ops.LogSoftmax(x, Dim);

    protected override string ExtraRepr() => $"dim={Dim}";
}
