namespace Feynman.Autograd;

/// <summary>Thrown in anomaly mode by the first operation that produced NaN or Inf.</summary>
public sealed class AnomalyException(string operation, string message) : Exception(message)
{
    /// <summary>The name of the operation (as recorded on the tape) that produced the bad value.</summary>
    public string Operation { get; } = operation;
}
