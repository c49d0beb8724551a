using Feynman.Tensors;

namespace Feynman.Optim;

/// <summary>
/// Parameters that share a learning rate and weight decay (PyTorch's param_groups): e.g. a smaller
/// rate for a pre-trained backbone, or no decay on biases. Unset values take the optimizer's defaults.
/// </summary>
public sealed class ParamGroup
{
    public ParamGroup(IEnumerable<Tensor> parameters, double? learningRate = null, double? weightDecay = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.ToArray();
        LearningRate = learningRate ?? double.NaN;
        WeightDecay = weightDecay ?? double.NaN;
    }

    public IReadOnlyList<Tensor> Parameters { get; }

    public double LearningRate { get; set; }

    public double WeightDecay { get; set; }

    /// <summary>The learning rate a schedule scales (PyTorch's initial_lr); set when the first schedule attaches.</summary>
    public double InitialLearningRate { get; set; } = double.NaN;
}
