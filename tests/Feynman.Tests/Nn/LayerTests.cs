using Feynman.Autograd;
using Feynman.Nn;
using Feynman.Tensors;
using Feynman.Tests.Support;

namespace Feynman.Tests.Nn;

/// <summary>Default initialisation, names, train/eval behaviour, errors and reprs of the layers, as PyTorch's.</summary>
public class LayerTests
{
    private static (double Mean, double Var, double MaxAbs) Stats(Tensor t)
    {
        var v = t.ToArray();
        double mean = v.Average(x => (double)x);
        return (mean, v.Average(x => (x - mean) * (x - mean)), v.Max(x => Math.Abs((double)x)));
    }

    /// <summary>Values fill U(−bound, bound): inside it, reaching near its ends, with the uniform variance bound²/3.</summary>
    private static void AssertUniform(Tensor t, double bound, string what)
    {
        var (mean, variance, maxAbs) = Stats(t);
        Assert.True(maxAbs <= bound, $"{what}: |value| {maxAbs} exceeds the bound {bound}.");
        Assert.True(maxAbs > 0.9 * bound, $"{what}: largest |value| {maxAbs} is far inside the bound {bound}.");
        Assert.True(Math.Abs(variance / (bound * bound / 3) - 1) < 0.15, $"{what}: variance {variance}, expected about {bound * bound / 3}.");
        Assert.True(Math.Abs(mean) < 0.1 * bound, $"{what}: mean {mean} is not near 0.");
    }

    [Fact]
    public void Conv2dInitialisesAsPyTorch()
    {
        using var conv = new Conv2d(16, 32, 3, rng: new Generator(1));
        Assert.Equal(["weight", "bias"], conv.StateDict().Keys);
        Assert.Equal([32, 16, 3, 3], conv.Weight.Shape.ToArray());
        // kaiming_uniform(a = √5) gives U(±1/√fan_in); the bias uses the same bound. fan_in = 16·3·3.
        AssertUniform(conv.Weight, 1 / Math.Sqrt(144), "weight");
        Assert.True(Stats(conv.Bias!).MaxAbs <= 1 / Math.Sqrt(144));
        using var grouped = new Conv2d(4, 8, 3, stride: 2, groups: 2, bias: false);
        Assert.Equal([8, 2, 3, 3], grouped.Weight.Shape.ToArray());
        Assert.Equal(["weight"], grouped.StateDict().Keys);
    }

    [Fact]
    public void EmbeddingsInitialiseNormalWithAZeroPaddingRow()
    {
        using var emb = new Embedding(1000, 8, paddingIdx: -1, rng: new Generator(2));
        Assert.Equal(999, emb.PaddingIdx);
        var (mean, variance, _) = Stats(emb.Weight);
        Assert.True(Math.Abs(mean) < 0.05 && Math.Abs(variance - 1) < 0.1, $"N(0, 1) expected, got mean {mean}, variance {variance}.");
        Assert.All(emb.Weight.ToArray()[(999 * 8)..], v => Assert.Equal(0f, v));
        using var bag = new EmbeddingBag(1000, 8, "sum", paddingIdx: 3, rng: new Generator(3));
        Assert.All(bag.Weight.ToArray()[(3 * 8)..(4 * 8)], v => Assert.Equal(0f, v));
        Assert.True(Math.Abs(Stats(bag.Weight).Var - 1) < 0.1);
    }

    [Fact]
    public void NormsStartAtIdentityWithPyTorchsBuffers()
    {
        using var bn = new BatchNorm2d(4);
        Assert.Equal(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"], bn.StateDict().Keys);
        Assert.Equal([1f, 1, 1, 1], bn.Weight!.ToArray());
        Assert.Equal([0f, 0, 0, 0], bn.Bias!.ToArray());
        Assert.Equal([0f, 0, 0, 0], bn.RunningMean!.ToArray());
        Assert.Equal([1f, 1, 1, 1], bn.RunningVar!.ToArray());
        Assert.Equal(0f, bn.NumBatchesTracked!.Item());
        Assert.Equal(2, bn.Parameters().Count());
        using var plain = new BatchNorm1d(3, affine: false, trackRunningStats: false);
        Assert.Empty(plain.StateDict());
        using var ln = new LayerNorm([3, 4]);
        Assert.Equal(["weight", "bias"], ln.StateDict().Keys);
        Assert.Equal(Enumerable.Repeat(1f, 12), ln.Weight!.ToArray());
        Assert.Equal(Enumerable.Repeat(0f, 12), ln.Bias!.ToArray());
    }

    [Fact]
    public void AttentionAndEncoderUsePyTorchsLayoutAndInitialisation()
    {
        using var mha = new MultiheadAttention(16, 2, rng: new Generator(4));
        Assert.Equal(["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"], mha.StateDict().Keys);
        Assert.Equal([48, 16], mha.InProjWeight.Shape.ToArray());
        AssertUniform(mha.InProjWeight, Math.Sqrt(6.0 / (16 + 48)), "in_proj_weight (xavier_uniform)");
        Assert.All(mha.InProjBias!.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(mha.OutProj.Bias!.ToArray(), v => Assert.Equal(0f, v));
        Assert.True(Stats(mha.OutProj.Weight).MaxAbs <= 0.25);

        using var layer = new TransformerEncoderLayer(16, 2, 32);
        Assert.Equal(
            ["self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
             "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"],
            layer.StateDict().Keys);
        Assert.Equal(["self_attn", "linear1", "dropout", "linear2", "norm1", "norm2", "dropout1", "dropout2"], layer.NamedChildren().Select(c => c.Name));
    }

    [Fact]
    public void EncoderStackStartsFromCopiesOfItsLayer()
    {
        using var prototype = new TransformerEncoderLayer(8, 2, 16, dropout: 0.2, activation: "gelu", normFirst: true, rng: new Generator(9));
        using var stack = new TransformerEncoder(prototype, 3);
        Assert.Equal(3, stack.Layers.Count);
        Assert.Equal(prototype.StateDict().Count * 3, stack.StateDict().Count);
        foreach (var (key, value) in prototype.StateDict())
            for (int i = 0; i < 3; i++)
                Assert.Equal(value.ToArray(), stack.StateDict()[$"layers.{i}.{key}"].ToArray());
        // Copies, not shared tensors: training one layer leaves the others alone.
        stack.Layers[0].Linear1.Weight.Span[0] += 1f;
        Assert.NotEqual(stack.Layers[0].Linear1.Weight.Span[0], stack.Layers[1].Linear1.Weight.Span[0]);
        Assert.All(stack.Layers, l => Assert.True(l.NormFirst && l.Activation == "gelu" && l.DropoutP == 0.2));
    }

    [Fact]
    public void DropoutZeroesAndRescalesOnlyInTraining()
    {
        using var dropout = new Dropout(0.25, new Generator(5));
        using var scope = TensorScope.Begin();
        var x = Tensor.Ones(4000);
        var y = dropout.Forward(x).ToArray();
        Assert.All(y, v => Assert.True(v == 0f || Math.Abs(v - 1 / 0.75f) < 1e-6, $"value {v} is neither dropped nor scaled by 1/(1 − p)."));
        double dropped = y.Count(v => v == 0f) / 4000.0;
        Assert.InRange(dropped, 0.22, 0.28);
        dropout.Eval();
        Assert.Equal(x.ToArray(), dropout.Forward(x).ToArray());
    }

    [Fact]
    public void BatchNormUsesRunningStatisticsInEvaluation()
    {
        using var bn = new BatchNorm2d(2);
        bn.RunningMean!.Span[1] = 3f;
        bn.RunningVar!.Span[1] = 4f;
        bn.Weight!.Span[1] = 2f;
        bn.Bias!.Span[1] = 0.5f;
        using var scope = TensorScope.Begin();
        var x = Tensor.From([1f, 2, 3, 4, 5, 6, 7, 8], 1, 2, 2, 2);
        bn.Eval();
        var y = bn.Forward(x).ToArray();
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal((i + 1) / MathF.Sqrt(1 + 1e-5f), y[i], 1e-5f);
            Assert.Equal((i + 5 - 3) / MathF.Sqrt(4 + 1e-5f) * 2 + 0.5f, y[4 + i], 1e-5f);
        }
        Assert.Equal(0f, bn.NumBatchesTracked!.Item());
        bn.Train();
        var trained = bn.Forward(x).ToArray();
        Assert.Equal(1f, bn.NumBatchesTracked.Item());
        // Channel 0 holds 1..4: normalised with the batch mean 2.5 and biased variance 1.25; the running
        // mean moves 10% of the way to 2.5, the running variance towards the unbiased 5/3.
        Assert.Equal((1 - 2.5f) / MathF.Sqrt(1.25f + 1e-5f), trained[0], 1e-5f);
        Assert.Equal(0.25f, bn.RunningMean.Span[0], 1e-6f);
        Assert.Equal(0.9f + 0.1f * 5 / 3f, bn.RunningVar.Span[0], 1e-6f);
    }

    [Fact]
    public void CausalAttentionIgnoresLaterPositions()
    {
        var rng = new Generator(6);
        using var layer = new TransformerEncoderLayer(8, 2, 16, dropout: 0, rng: rng) { IsCausal = true };
        using var scope = TensorScope.Begin();
        var x = Tensor.Randn(rng, 1, 4, 8);
        var changed = Tensor.From(x.ToArray(), 1, 4, 8);
        for (int i = 3 * 8; i < 4 * 8; i++) changed.Span[i] += 1f;
        var a = layer.Forward(x).ToArray();
        var b = layer.Forward(changed).ToArray();
        Assert.Equal(a[..(3 * 8)], b[..(3 * 8)]);
        Assert.NotEqual(a[(3 * 8)..], b[(3 * 8)..]);
        layer.IsCausal = false;
        Assert.NotEqual(a[..8], layer.Forward(changed).ToArray()[..8]);
    }

    [Fact]
    public void AttentionDropoutPathMatchesTheFusedKernel()
    {
        // With a vanishing dropout probability the explicit path (scores, masks, softmax, dropout, product)
        // keeps every weight, so it must agree with the fused kernel used in evaluation.
        var rng = new Generator(7);
        using var mha = new MultiheadAttention(8, 2, dropout: 1e-9, rng: rng);
        using var scope = TensorScope.Begin();
        var q = Tensor.Randn(rng, 2, 3, 8);
        var kv = Tensor.Randn(rng, 2, 3, 8);
        var mask = Tensor.Randn(rng, 3, 3);
        bool[] padding = [false, false, true, false, false, false];
        var explicitPath = mha.Forward(q, kv, kv, mask, padding, isCausal: true).ToArray();
        mha.Eval();
        var fused = mha.Forward(q, kv, kv, mask, padding, isCausal: true).ToArray();
        AssertClose.Equal(fused, explicitPath, rtol: 1e-5, atol: 1e-6, what: "attention with dropout path");

        using var heavy = new MultiheadAttention(8, 2, dropout: 0.5, rng: new Generator(8));
        var trainOut = heavy.Forward(q).ToArray();
        heavy.Eval();
        Assert.NotEqual(trainOut, heavy.Forward(q).ToArray());
    }

    [Fact]
    public void IndexLayersRejectFloatTensorsAndBadIndices()
    {
        using var emb = new Embedding(5, 3);
        using var bag = new EmbeddingBag(5, 3);
        using var scope = TensorScope.Begin();
        var x = Tensor.Zeros(2, 3);
        Assert.Contains("integer indices", Assert.Throws<NotSupportedException>(() => emb.Forward(x)).Message);
        Assert.Contains("integer indices", Assert.Throws<NotSupportedException>(() => new Sequential(new Identity(), bag).Forward(x)).Message);
        Assert.Contains("out of range", Assert.Throws<ArgumentException>(() => emb.Forward([1, 5])).Message);
        Assert.Equal([2, 2, 3], emb.Forward([0, 1, 2, 3], [2, 2]).Shape.ToArray());
        Assert.Equal([2, 3], bag.Forward([0, 1, 2, 3], [0, 1]).Shape.ToArray());
    }

    [Fact]
    public void BadShapesAndSettingsGiveClearErrors()
    {
        using var scope = TensorScope.Begin();
        using var conv = new Conv2d(3, 4, 3);
        Assert.Contains("[N, 3, H, W]", Assert.Throws<ArgumentException>(() => conv.Forward(Tensor.Zeros(1, 2, 5, 5))).Message);
        Assert.Contains("divisible by num_heads", Assert.Throws<ArgumentException>(() => new MultiheadAttention(10, 3)).Message);
        using var bn = new BatchNorm2d(3);
        Assert.Contains("4D input", Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Zeros(2, 3))).Message);
        Assert.Contains("has 2 channels", Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Zeros(2, 2, 2, 2))).Message);
        Assert.Contains("\"relu\" or \"gelu\"", Assert.Throws<ArgumentException>(() => new TransformerEncoderLayer(8, 2, activation: "swish")).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1.5));
        Assert.Contains("mode must be", Assert.Throws<ArgumentException>(() => new EmbeddingBag(4, 2, "median")).Message);
        using var mha = new MultiheadAttention(8, 2);
        Assert.Contains("key_padding_mask", Assert.Throws<ArgumentException>(() => mha.Forward(Tensor.Zeros(2, 3, 8), Tensor.Zeros(2, 3, 8), Tensor.Zeros(2, 3, 8), keyPaddingMask: new bool[5])).Message);
    }

    [Fact]
    public void ReprsMatchPyTorch()
    {
        Assert.Equal("Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))", new Conv2d(1, 32, 3, padding: 1).ToString());
        Assert.Equal("Conv2d(4, 8, kernel_size=(3, 3), stride=(2, 2), groups=2, bias=False)", new Conv2d(4, 8, 3, stride: 2, groups: 2, bias: false).ToString());
        Assert.Equal("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)", new MaxPool2d(2).ToString());
        Assert.Equal("AvgPool2d(kernel_size=3, stride=1, padding=1)", new AvgPool2d(3, 1, 1).ToString());
        Assert.Equal("Dropout(p=0.25, inplace=False)", new Dropout(0.25).ToString());
        Assert.Equal("BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)", new BatchNorm2d(4).ToString());
        Assert.Equal("BatchNorm1d(3, eps=1e-05, momentum=None, affine=True, track_running_stats=True)", new BatchNorm1d(3, momentum: null).ToString());
        Assert.Equal("LayerNorm((16,), eps=1e-05, elementwise_affine=True)", new LayerNorm(16).ToString());
        Assert.Equal("LayerNorm((3, 4), eps=1e-05, elementwise_affine=True)", new LayerNorm([3, 4]).ToString());
        Assert.Equal("Embedding(10, 4, padding_idx=2)", new Embedding(10, 4, 2).ToString());
        Assert.Equal("EmbeddingBag(10, 4, mode=sum)", new EmbeddingBag(10, 4, "sum").ToString());
        Assert.Equal("GELU(approximate='none')", new GELU().ToString());
        Assert.Equal("Softmax(dim=-1)", new Softmax(-1).ToString());
        Assert.Equal("LogSoftmax(dim=1)", new LogSoftmax(1).ToString());
        Assert.Contains("(norm2): LayerNorm((16,), eps=1e-05, elementwise_affine=True)", new TransformerEncoderLayer(16, 2, 32).ToString());
    }
}
