namespace Feynman.Autograd;

/// <summary>How a loss combines its per-sample values (PyTorch's <c>reduction</c> argument).</summary>
public enum Reduction
{
    /// <summary>The average (PyTorch's default; each loss documents its denominator).</summary>
    Mean,

    /// <summary>The sum.</summary>
    Sum,

    /// <summary>No reduction: one value per sample (per row, or per element for elementwise losses).</summary>
    None,
}
