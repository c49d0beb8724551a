using Feynman.Autograd;
using Feynman.Tensors;

namespace Feynman.Nn;

/// <summary>
/// One transformer encoder block (torch.nn.TransformerEncoderLayer) with PyTorch's submodule names, so
/// state dicts exchange: self_attn, linear1, dropout, linear2, norm1, norm2, dropout1, dropout2.
/// Post-norm (x = norm1(x + sa(x)); x = norm2(x + ff(x))) by default, pre-norm with <c>normFirst</c>.
/// Batch-first by default (PyTorch's default is sequence-first).
/// </summary>
public sealed class TransformerEncoderLayer : Module
{
    private readonly Generator rng;

    public TransformerEncoderLayer(int dModel, int nHead, int dimFeedforward = 2048, double dropout = 0.1, string activation = "relu",
                                   double layerNormEps = 1e-5, bool batchFirst = true, bool normFirst = false, bool bias = true, Generator? rng = null)
    {
        if (activation is not ("relu" or "gelu"))
            throw new ArgumentException($"TransformerEncoderLayer: activation must be \"relu\" or \"gelu\", got \"{activation}\".", nameof(activation));
        if (dimFeedforward <= 0) throw new ArgumentOutOfRangeException(nameof(dimFeedforward), $"TransformerEncoderLayer: dim_feedforward must be positive, got {dimFeedforward}.");
        rng ??= Generator.Default;
        this.rng = rng;
        DModel = dModel;
        NHead = nHead;
        DimFeedforward = dimFeedforward;
        DropoutP = dropout;
        LayerNormEps = layerNormEps;
        HasBias = bias;
        Activation = activation;
        NormFirst = normFirst;
        BatchFirst = batchFirst;
        SelfAttn = RegisterModule("self_attn", new MultiheadAttention(dModel, nHead, dropout, bias, batchFirst, rng));
        Linear1 = RegisterModule("linear1", new Linear(dModel, dimFeedforward, bias, rng));
        DropoutLayer = RegisterModule("dropout", new Dropout(dropout, rng));
        Linear2 = RegisterModule("linear2", new Linear(dimFeedforward, dModel, bias, rng));
        Norm1 = RegisterModule("norm1", new LayerNorm(dModel, layerNormEps));
        Norm2 = RegisterModule("norm2", new LayerNorm(dModel, layerNormEps));
        Dropout1 = RegisterModule("dropout1", new Dropout(dropout, rng));
        Dropout2 = RegisterModule("dropout2", new Dropout(dropout, rng));
    }

    public int DModel { get; }

    public int NHead { get; }

    public int DimFeedforward { get; }

    /// <summary>The dropout probability of every dropout in the block (and of the attention weights).</summary>
    public double DropoutP { get; }

    public double LayerNormEps { get; }

    /// <summary>Whether the projections and feed-forward layers have biases (PyTorch's bias argument).</summary>
    public bool HasBias { get; }

    /// <summary>"relu" or "gelu".</summary>
    public string Activation { get; }

    public bool NormFirst { get; }

    public bool BatchFirst { get; }

    /// <summary>When set, <see cref="Forward(Tensor)"/> applies a causal mask.</summary>
    public bool IsCausal { get; set; }

    public MultiheadAttention SelfAttn { get; }

    public Linear Linear1 { get; }

    /// <summary>The dropout inside the feed-forward block (PyTorch's <c>dropout</c>).</summary>
    public Dropout DropoutLayer { get; }

    public Linear Linear2 { get; }

    public LayerNorm Norm1 { get; }

    public LayerNorm Norm2 { get; }

    public Dropout Dropout1 { get; }

    public Dropout Dropout2 { get; }

    /// <summary>A new layer with the same settings and a copy of this one's parameters (PyTorch's deepcopy in TransformerEncoder).</summary>
    public TransformerEncoderLayer Clone()
    {
        var copy = new TransformerEncoderLayer(DModel, NHead, DimFeedforward, DropoutP, Activation, LayerNormEps, BatchFirst, NormFirst, HasBias, rng)
        {
            IsCausal = IsCausal,
        };
        copy.LoadStateDict(StateDict());
        copy.Train(IsTraining);
        return copy;
    }

    public override Tensor Forward(Tensor x) => Forward(x, null, null, IsCausal);

    /// <summary>
    /// The block over <paramref name="src"/> [B, L, E] (or [L, B, E] when not batch-first), with an optional additive
    /// <paramref name="srcMask"/>, a row-major [B, L] <paramref name="srcKeyPaddingMask"/> (true = padding) and a causal mask.
    /// </summary>
    public Tensor Forward(Tensor src, Tensor? srcMask, bool[]? srcKeyPaddingMask = null, bool isCausal = false)
    {
        var x = src;
        if (NormFirst)
        {
            x = Ops.Add(x, SelfAttentionBlock(Norm1.Forward(x), srcMask, srcKeyPaddingMask, isCausal));
            x = Ops.Add(x, FeedForwardBlock(Norm2.Forward(x)));
        }
        else
        {
            x = Norm1.Forward(Ops.Add(x, SelfAttentionBlock(x, srcMask, srcKeyPaddingMask, isCausal)));
            x = Norm2.Forward(Ops.Add(x, FeedForwardBlock(x)));
        }
        return x;
    }

    private Tensor SelfAttentionBlock(Tensor x, Tensor? mask, bool[]? keyPaddingMask, bool isCausal) =>
        Dropout1.Forward(SelfAttn.Forward(x, x, x, mask, keyPaddingMask, isCausal));

    private Tensor FeedForwardBlock(Tensor x)
    {
        var h = Linear1.Forward(x);
        h = Activation == "gelu" ? Ops.Gelu(h) : Ops.Relu(h);
        return Dropout2.Forward(Linear2.Forward(DropoutLayer.Forward(h)));
    }
}
