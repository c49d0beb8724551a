using Feynman.Autograd;
using Feynman.Tensors;
using Feynman.Tests.Support;

namespace Feynman.Tests.Autograd;

/// <summary>Convolution, pooling, normalisation and attention against PyTorch (reference/make_op_fixtures_b.py).</summary>
public class OpsBFixtureTests
{
    private static readonly Lazy<Fixture> Cases = new(() => Fixture.Load("ops_b.json"));

    /// <summary>Runs the op on the case's inputs, backward of sum(out·proj), and compares output and every stored gradient.</summary>
    private static void Check(string name, Func<FixtureCase, Dictionary<string, Tensor>, Tensor> op)
    {
        var c = Cases.Value[name];
        var inputs = new Dictionary<string, Tensor>();
        foreach (var key in new[] { "x", "weight", "bias", "q", "k", "v", "mask" })
            if (c.Has(key)) inputs[key] = c.Tensor(key, requiresGrad: c.Has("grad." + key));
        var y = op(c, inputs);
        AssertClose.Equal(c.Data("out"), y, what: $"{name} out");
        Assert.Equal(c.Shape("out"), y.Shape.ToArray());
        y.Backward(c.Tensor("proj"));
        int checkedGrads = 0;
        foreach (var (key, t) in inputs)
        {
            if (!c.Has("grad." + key)) continue;
            Assert.NotNull(t.Grad);
            AssertClose.Equal(c.Data("grad." + key), t.Grad!, what: $"{name} grad.{key}");
            checkedGrads++;
        }
        Assert.True(checkedGrads > 0, $"{name}: no gradient compared");
    }

    private static Tensor? Opt(Dictionary<string, Tensor> t, string key) => t.TryGetValue(key, out var v) ? v : null;

    private static (int, int) Pair(FixtureCase c, string key)
    {
        var v = c.Ints(key);
        return (v[0], v[1]);
    }

    [Theory]
    [InlineData("conv_s1_p1")]
    [InlineData("conv_s2_p1")]
    [InlineData("conv_nonsquare")]
    [InlineData("conv_5x5_s3_p2")]
    [InlineData("conv_1x1")]
    public void Conv2d(string name) =>
        Check(name, (c, t) => Ops.Conv2d(t["x"], t["weight"], Opt(t, "bias"), Pair(c, "stride"), Pair(c, "padding")));

    [Theory]
    [InlineData("maxpool_k2")]
    [InlineData("maxpool_k3_s2_p1")]
    [InlineData("maxpool_nonsquare")]
    [InlineData("maxpool_k2_ties_wide")]
    [InlineData("maxpool_k2_ties_mid")]
    public void MaxPool2d(string name) =>
        Check(name, (c, t) => Ops.MaxPool2d(t["x"], Pair(c, "kernel"), Pair(c, "stride"), Pair(c, "padding")));

    [Theory]
    [InlineData("avgpool_k2")]
    [InlineData("avgpool_k3_s2_p1")]
    [InlineData("avgpool_k3_s2_p1_nopad")]
    [InlineData("avgpool_nonsquare")]
    public void AvgPool2d(string name) =>
        Check(name, (c, t) => Ops.AvgPool2d(t["x"], Pair(c, "kernel"), Pair(c, "stride"), Pair(c, "padding"),
                                            c.Params.GetProperty("count_include_pad").GetBoolean()));

    [Theory]
    [InlineData("bn2d_train")]
    [InlineData("bn1d_train")]
    [InlineData("bn1d_seq_train_noaffine")]
    [InlineData("bn2d_eval")]
    public void BatchNorm(string name)
    {
        var c = Cases.Value[name];
        var runningMean = c.Tensor("running_mean");
        var runningVar = c.Tensor("running_var");
        Check(name, (c, t) => Ops.BatchNorm(t["x"], runningMean, runningVar, Opt(t, "weight"), Opt(t, "bias"),
                                            c.Params.GetProperty("training").GetBoolean(), c.Float("momentum"), c.Float("eps")));
        AssertClose.Equal(c.Data("running_mean.after"), runningMean, what: $"{name} running_mean");
        AssertClose.Equal(c.Data("running_var.after"), runningVar, what: $"{name} running_var");
    }

    [Theory]
    [InlineData("ln_last")]
    [InlineData("ln_last2")]
    [InlineData("ln_noaffine")]
    public void LayerNorm(string name) =>
        Check(name, (c, t) => Ops.LayerNorm(t["x"], c.Ints("normalized_shape"), Opt(t, "weight"), Opt(t, "bias"), c.Float("eps")));

    [Theory]
    [InlineData("sdpa")]
    [InlineData("sdpa_causal")]
    [InlineData("sdpa_causal_rect")]
    [InlineData("sdpa_mask")]
    [InlineData("sdpa_mask_heads")]
    public void ScaledDotProductAttention(string name) =>
        Check(name, (c, t) => Ops.ScaledDotProductAttention(t["q"], t["k"], t["v"], Opt(t, "mask"), c.Params.GetProperty("causal").GetBoolean()));
}
