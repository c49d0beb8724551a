using Feynman.Tensors;

namespace Feynman.Autograd;

/// <summary>Inverted dropout: kept values are scaled by 1/(1 − p) during training so evaluation needs no rescaling.</summary>
public static partial class Ops
{
    /// <summary>
    /// Zeroes each element with probability <paramref name="p"/> and scales the rest by 1/(1 − p)
    /// (torch.nn.functional.dropout). The mask comes from <paramref name="rng"/>, so a seed fixes it.
    /// Returns the input itself when not training or when p is 0; p = 1 gives zeros.
    /// </summary>
    public static Tensor Dropout(Tensor input, float p, bool training, Generator rng)
    {
        if (!(p >= 0f && p <= 1f)) throw new ArgumentException($"dropout probability must be in [0, 1], got {p} (input {input.ShapeString}).");
        ArgumentNullException.ThrowIfNull(rng);
        if (!training || p == 0f) return input;
        var x = Contiguous(input);
        // The mask holds 0 or 1/(1 − p): forward and backward are both one multiply.
        var mask = Tensor.Empty(x.Shape);
        var ms = mask.Span;
        float scale = p == 1f ? 0f : 1f / (1f - p);
        for (int i = 0; i < ms.Length; i++) ms[i] = rng.NextFloat() < p ? 0f : scale;
        var y = Tensor.Empty(x.Shape);
        TensorPrimitives.Multiply(x.Span, ms, y.Span);
        if (AutogradEngine.ShouldRecord(x))
            AutogradEngine.Record(y, "dropout", [x], g => WriteElementwiseGrad(x, dst => TensorPrimitives.Multiply(g.Span, mask.Span, dst)));
        return y;
    }
}
