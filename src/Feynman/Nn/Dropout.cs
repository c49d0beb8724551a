using Feynman.Autograd;
using Feynman.Tensors;

namespace Feynman.Nn;

/// <summary>
/// Zeroes each element with probability p during training and scales the rest by 1/(1 − p)
/// (torch.nn.Dropout); the identity in evaluation mode. The mask comes from <c>rng</c>, so a seed fixes it.
/// </summary>
public sealed class Dropout : Module
{
    private readonly Generator rng;

    public Dropout(double p = 0.5, Generator? rng = null)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), $"dropout probability has to be between 0 and 1, but got {p}.");
        P = p;
        this.rng = rng ?? Generator.Default;
    }

    public double P { get; }

    public override Tensor Forward(Tensor x) => Ops.Dropout(x, (float)P, IsTraining, rng);

    protected override string ExtraRepr() => $"p={Py(P)}, inplace=False";
}
