namespace Feynman.Training.Recipes;

/// <summary>
/// A model as a recipe describes it: a per-sample input shape and a list of layers that maps one to one
/// onto a PyTorch nn.Sequential, with every layer's sizes inferred from the one before.
/// </summary>
public sealed record ModelSpec(IReadOnlyList<int> Input, IReadOnlyList<LayerSpec> Layers)
{
    /// <summary>Per-sample output shape (the last layer's, or the input's when there are no layers).</summary>
    public IReadOnlyList<int> OutputShape => Layers.Count == 0 ? Input : Layers[^1].OutputShape;

    /// <summary>Trainable parameters in all layers.</summary>
    public long ParameterCount => Layers.Sum(l => l.ParameterCount);

    /// <summary>Every tensor of the model's state_dict in PyTorch's order (buffers included, num_batches_tracked excluded).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<ParameterSpec> StateDict => Layers.SelectMany(l => l.Parameters);

    /// <summary>The equivalent PyTorch code, e.g. "nn.Sequential(nn.Flatten(), nn.Linear(784, 10))".</summary>
    public string ToPyTorch() => $"nn.Sequential(\n    {string.Join(",\n    ", Layers.Select(l => l.ToPyTorch()))},\n)";
}
