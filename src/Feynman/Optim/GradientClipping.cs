using Feynman.Tensors;

namespace Feynman.Optim;

/// <summary>Gradient clipping, as torch.nn.utils.clip_grad_norm_ and clip_grad_value_.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales all gradients together so that their global norm is at most <paramref name="maxNorm"/>
    /// (coefficient maxNorm / (norm + 1e-6), applied only when below 1). Returns the total norm before clipping.
    /// <paramref name="normType"/> is 2 (L2) by default; any p ≥ 1 or infinity works.
    /// </summary>
    public static double ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm, double normType = 2, bool errorIfNonfinite = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(normType >= 1)) throw new ArgumentOutOfRangeException(nameof(normType), $"norm type must be ≥ 1 or infinity, got {normType}.");
        var grads = parameters.Select(p => p.Grad).OfType<Tensor>().ToList();
        if (grads.Count == 0) return 0;
        double total = 0;
        foreach (var g in grads)
        {
            var s = g.Span;
            if (double.IsPositiveInfinity(normType)) total = Math.Max(total, TensorPrimitives.MaxMagnitude(s) is var m && float.IsNaN(m) ? double.NaN : Math.Abs(m));
            else if (normType == 2) { double n = TensorPrimitives.Norm(s); total += n * n; }
            else foreach (var v in s) total += Math.Pow(Math.Abs(v), normType);
        }
        if (!double.IsPositiveInfinity(normType)) total = normType == 2 ? Math.Sqrt(total) : Math.Pow(total, 1 / normType);
        if (errorIfNonfinite && !double.IsFinite(total))
            throw new InvalidOperationException($"the total norm of order {normType} of the gradients is {total}, so they cannot be clipped.");
        double coefficient = maxNorm / (total + 1e-6);
        if (coefficient < 1)
            foreach (var g in grads) TensorPrimitives.Multiply(g.Span, (float)coefficient, g.Span);
        return total;
    }

    /// <summary>Clamps every gradient element to [−clipValue, clipValue].</summary>
    public static void ClipGradValue(IEnumerable<Tensor> parameters, double clipValue)
    {
        float c = (float)clipValue;
        foreach (var p in parameters)
            if (p.Grad is { } g) TensorPrimitives.Clamp(g.Span, -c, c, g.Span);
    }
}
