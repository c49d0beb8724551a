using Feynman.Autograd;
using Feynman.Nn;
using Feynman.Tensors;
using Feynman.Tests.Support;

namespace Feynman.Tests.Nn;

/// <summary>Layer forwards and gradients, with masks and options, against PyTorch (reference/make_layer_fixtures.py).</summary>
public class LayerFixtureTests
{
    private static readonly Fixture Fixtures = Fixture.Load("nn/layers.json");

    private static void LoadState(Module m, FixtureCase c) =>
        m.LoadStateDict(m.StateDict().Keys.ToDictionary(k => k, k => c.Tensor($"state.{k}")));

    private static bool[] Flags(FixtureCase c, string name) => c.Data(name).Select(v => v != 0).ToArray();

    private static int[] Ints(FixtureCase c, string name) => c.Data(name).Select(v => (int)v).ToArray();

    /// <summary>Backward of sum(out·g), then the output, the listed input gradients and every parameter gradient.</summary>
    private static void Check(FixtureCase c, Module m, Tensor output, params (string Name, Tensor Input)[] inputs)
    {
        AssertClose.Equal(c.Data("out"), output, rtol: 1e-4, atol: 1e-5, what: $"{c.Name} out");
        Assert.Equal(c.Shape("out"), output.Shape.ToArray());
        Ops.Sum(Ops.Mul(output, c.Tensor("g"))).Backward();
        foreach (var (name, input) in inputs)
            AssertClose.Equal(c.Data($"grad.{name}"), input.Grad!, rtol: 1e-4, atol: 1e-5, what: $"{c.Name} grad {name}");
        foreach (var (name, p) in m.NamedParameters())
        {
            if (!c.Has($"grad.{name}")) { Assert.Null(p.Grad); continue; }
            AssertClose.Equal(c.Data($"grad.{name}"), p.Grad!, rtol: 1e-4, atol: 1e-5, what: $"{c.Name} grad {name}");
        }
        foreach (var (key, t) in m.StateDict())
            AssertClose.Equal(c.Data($"after.{key}"), t, rtol: 1e-4, atol: 1e-6, what: $"{c.Name} {key} after the forward");
    }

    [Fact]
    public void CrossAttentionWithAdditiveAndKeyPaddingMasks()
    {
        var c = Fixtures["mha_cross_masks"];
        using var mha = new MultiheadAttention(8, 2);
        LoadState(mha, c);
        using var scope = TensorScope.Begin();
        var (q, k, v) = (c.Tensor("q", true), c.Tensor("k", true), c.Tensor("v", true));
        var y = mha.Forward(q, k, v, c.Tensor("attn_mask"), Flags(c, "key_padding_mask"));
        Check(c, mha, y, ("q", q), ("k", k), ("v", v));
    }

    [Fact]
    public void SequenceFirstSelfAttentionWithoutBias()
    {
        var c = Fixtures["mha_self_seq_first_nobias"];
        using var mha = new MultiheadAttention(8, 4, bias: false, batchFirst: false);
        Assert.Equal(["in_proj_weight", "out_proj.weight"], mha.StateDict().Keys);
        LoadState(mha, c);
        using var scope = TensorScope.Begin();
        var x = c.Tensor("x", true);
        Check(c, mha, mha.Forward(x), ("x", x));
    }

    [Fact]
    public void EncoderLayerSequenceFirstWithKeyPadding()
    {
        var c = Fixtures["encoder_seq_first_padding"];
        using var layer = new TransformerEncoderLayer(8, 2, 12, dropout: 0, batchFirst: false);
        LoadState(layer, c);
        using var scope = TensorScope.Begin();
        var x = c.Tensor("x", true);
        Check(c, layer, layer.Forward(x, null, Flags(c, "key_padding_mask")), ("x", x));
    }

    [Fact]
    public void EncoderStackWithCausalMaskAndKeyPadding()
    {
        var c = Fixtures["encoder_stack_causal_padding"];
        using var prototype = new TransformerEncoderLayer(8, 2, 12, dropout: 0, normFirst: true);
        using var stack = new TransformerEncoder(prototype, 2, new LayerNorm(8));
        LoadState(stack, c);
        Assert.Contains("layers.1.self_attn.in_proj_weight", stack.StateDict().Keys);
        using var scope = TensorScope.Begin();
        var x = c.Tensor("x", true);
        Check(c, stack, stack.Forward(x, null, Flags(c, "key_padding_mask"), isCausal: true), ("x", x));
    }

    [Fact]
    public void EmbeddingWithPaddingIndex()
    {
        var c = Fixtures["embedding_padding"];
        using var emb = new Embedding(10, 4, paddingIdx: 2);
        LoadState(emb, c);
        using var scope = TensorScope.Begin();
        Check(c, emb, emb.Forward(Ints(c, "indices"), c.Shape("indices")));
    }

    [Fact]
    public void EmbeddingBagMeanWithPaddingIndex()
    {
        var c = Fixtures["embedding_bag_mean_padding"];
        using var bag = new EmbeddingBag(10, 4, "mean", paddingIdx: 0);
        LoadState(bag, c);
        using var scope = TensorScope.Begin();
        Check(c, bag, bag.Forward(Ints(c, "indices"), Ints(c, "offsets")));
    }

    [Fact]
    public void BatchNorm1dCumulativeAverageOverTwoBatches()
    {
        var c = Fixtures["batchnorm1d_cumulative"];
        using var bn = new BatchNorm1d(3, momentum: null);
        LoadState(bn, c);
        using var scope = TensorScope.Begin();
        bn.Forward(c.Tensor("x1"));
        var x = c.Tensor("x", true);
        Check(c, bn, bn.Forward(x), ("x", x));
        Assert.Equal(2f, bn.NumBatchesTracked!.Item());
    }

    [Fact]
    public void LayerNormOverTwoDimensions()
    {
        var c = Fixtures["layernorm_2d"];
        using var ln = new LayerNorm([3, 4]);
        LoadState(ln, c);
        using var scope = TensorScope.Begin();
        var x = c.Tensor("x", true);
        Check(c, ln, ln.Forward(x), ("x", x));
    }
}
