using Feynman.Tensors;

namespace Feynman.Optim;

/// <summary>
/// An optimizer's state for checkpoints (PyTorch's optimizer.state_dict()): hyperparameters, each
/// group's learning rate and weight decay, and per-parameter buffers and counters keyed by the
/// parameter's position across all groups. The tensors are the optimizer's own, not copies.
/// </summary>
public sealed class OptimizerState(string kind)
{
    /// <summary>The optimizer's type name ("Sgd", "Adam", "AdamW"); loading into another type is an error.</summary>
    public string Kind { get; } = kind;

    /// <summary>Optimizer-wide hyperparameters (momentum, beta1, eps, ...).</summary>
    public Dictionary<string, double> Hyperparameters { get; } = new();

    /// <summary>Per group: "lr", "weight_decay" and, once a schedule attached, "initial_lr".</summary>
    public List<Dictionary<string, double>> Groups { get; } = new();

    /// <summary>Parameter index → buffer name ("momentum_buffer", "exp_avg", "exp_avg_sq") → tensor.</summary>
    public SortedDictionary<int, Dictionary<string, Tensor>> Tensors { get; } = new();

    /// <summary>Parameter index → counter name ("step") → value.</summary>
    public SortedDictionary<int, Dictionary<string, double>> Scalars { get; } = new();
}
