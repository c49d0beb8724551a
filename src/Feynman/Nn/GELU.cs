using Feynman.Autograd;
using Feynman.Tensors;

namespace Feynman.Nn;

/// <summary>
/// x·Φ(x), elementwise (torch.nn.GELU); <c>approximate</c> is "none" (exact, with erf) or "tanh"
/// (0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))).
/// </summary>
public sealed class GELU : Module
{
    public GELU(string approximate = "none")
    {
        if (approximate is not ("none" or "tanh"))
            throw new ArgumentException($"GELU: approximate must be \"none\" or \"tanh\", got \"{approximate}\".", nameof(approximate));
        Approximate = approximate;
    }

    public string Approximate { get; }

    public override Tensor Forward(Tensor x) => Ops.Gelu(x, approximateTanh: Approximate == "tanh");

    protected override string ExtraRepr() => $"approximate='{Approximate}'";
}
