using Feynman.Tensors;

namespace Feynman.Nn;

/// <summary>
/// A stack of <c>numLayers</c> encoder layers, then an optional final norm (torch.nn.TransformerEncoder), with
/// PyTorch's names: layers.0.self_attn.in_proj_weight, ..., norm.weight. As in PyTorch, every layer starts as a
/// copy of <c>encoderLayer</c> (so all start with the same weights), and the given layer itself is not used.
/// </summary>
public sealed class TransformerEncoder : Module
{
    private readonly List<TransformerEncoderLayer> layers = new();

    public TransformerEncoder(TransformerEncoderLayer encoderLayer, int numLayers, LayerNorm? norm = null)
    {
        ArgumentNullException.ThrowIfNull(encoderLayer);
        if (numLayers <= 0) throw new ArgumentOutOfRangeException(nameof(numLayers), $"TransformerEncoder needs at least one layer, got num_layers={numLayers}.");
        var list = RegisterModule("layers", new Sequential());
        for (int i = 0; i < numLayers; i++)
        {
            var layer = encoderLayer.Clone();
            list.Add(layer);
            layers.Add(layer);
        }
        Norm = norm is null ? null : RegisterModule("norm", norm);
    }

    public IReadOnlyList<TransformerEncoderLayer> Layers => layers;

    /// <summary>The final norm, or null.</summary>
    public LayerNorm? Norm { get; }

    /// <summary>When set, <see cref="Forward(Tensor)"/> applies a causal mask in every layer.</summary>
    public bool IsCausal { get; set; }

    public override Tensor Forward(Tensor x) => Forward(x, null, null, IsCausal);

    /// <summary>Every layer in turn with the same masks (see <see cref="TransformerEncoderLayer.Forward(Tensor, Tensor?, bool[]?, bool)"/>), then the norm.</summary>
    public Tensor Forward(Tensor src, Tensor? mask, bool[]? srcKeyPaddingMask = null, bool isCausal = false)
    {
        var x = src;
        foreach (var layer in layers) x = layer.Forward(x, mask, srcKeyPaddingMask, isCausal);
        return Norm is null ? x : Norm.Forward(x);
    }
}
