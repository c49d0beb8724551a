using Feynman.Autograd;
using Feynman.Tensors;

namespace Feynman.Nn;

/// <summary>
/// Normalises over the last dimensions (those of <see cref="NormalizedShape"/>) with the biased variance,
/// then scales by weight (ones) and shifts by bias (zeros), as torch.nn.LayerNorm.
/// </summary>
public sealed class LayerNorm : Module
{
    private readonly int[] normalizedShape;

    public LayerNorm(int normalizedShape, double eps = 1e-5, bool elementwiseAffine = true)
        : this([normalizedShape], eps, elementwiseAffine)
    {
    }

    public LayerNorm(int[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true)
    {
        ArgumentNullException.ThrowIfNull(normalizedShape);
        if (normalizedShape.Length == 0 || normalizedShape.Any(d => d <= 0))
            throw new ArgumentException($"LayerNorm needs a non-empty normalized shape of positive sizes, got {TensorShape.Format(normalizedShape)}.", nameof(normalizedShape));
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), $"LayerNorm: eps must be positive, got {eps}.");
        this.normalizedShape = (int[])normalizedShape.Clone();
        Eps = eps;
        ElementwiseAffine = elementwiseAffine;
        Weight = RegisterParameterOrNull("weight", elementwiseAffine ? TensorScope.Outside(() => Tensor.Ones(normalizedShape)) : null);
        Bias = RegisterParameterOrNull("bias", elementwiseAffine ? TensorScope.Outside(() => Tensor.Zeros(normalizedShape)) : null);
    }

    public ReadOnlySpan<int> NormalizedShape => normalizedShape;

    public double Eps { get; }

    public bool ElementwiseAffine { get; }

    /// <summary>Scale of the normalized shape, or null without elementwise affine.</summary>
    public Tensor? Weight { get; }

    /// <summary>Shift of the normalized shape, or null without elementwise affine.</summary>
    public Tensor? Bias { get; }

    public override Tensor Forward(Tensor x) => Ops.LayerNorm(x, normalizedShape, Weight, Bias, (float)Eps);

    protected override string ExtraRepr() =>
        $"({string.Join(", ", normalizedShape)}{(normalizedShape.Length == 1 ? "," : "")}), eps={Py(Eps)}, elementwise_affine={Py(ElementwiseAffine)}";
}
