using Feynman.Autograd;
using Feynman.Tensors;

namespace Feynman.Nn;

/// <summary>Flattens dimensions startDim..endDim into one (torch.nn.Flatten; by default all but the batch dimension).</summary>
public sealed class Flatten(int startDim = 1, int endDim = -1) : Module
{
    public int StartDim { get; } = startDim;

    public int EndDim { get; } = endDim;

    public override Tensor Forward(Tensor x) => Ops.Flatten(x, StartDim, EndDim);

    protected override string ExtraRepr() => $"start_dim={StartDim}, end_dim={EndDim}";
}
