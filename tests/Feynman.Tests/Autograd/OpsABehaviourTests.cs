using Feynman.Autograd;
using Feynman.Tensors;

namespace Feynman.Tests.Autograd;

/// <summary>Dropout statistics and determinism, the erf behind GELU, and the messages bad shapes and indices produce.</summary>
public class OpsABehaviourTests
{
    [Fact]
    public void DropoutPreservesTheMeanAndDropsAboutP()
    {
        var x = Tensor.Ones(200_000);
        var y = Ops.Dropout(x, 0.3f, training: true, new Generator(1)).ToArray();
        double mean = y.Average();
        double dropped = y.Count(v => v == 0f) / (double)y.Length;
        Assert.InRange(mean, 0.99, 1.01);
        Assert.InRange(dropped, 0.295, 0.305);
        Assert.All(y, v => Assert.True(v == 0f || Math.Abs(v - 1 / 0.7f) < 1e-6f, $"value {v} is neither 0 nor 1/(1-p)"));
    }

    [Fact]
    public void DropoutIsDeterministicBySeed()
    {
        var x = Tensor.Randn(new Generator(2), 64);
        var a = Ops.Dropout(x, 0.5f, true, new Generator(42)).ToArray();
        var b = Ops.Dropout(x, 0.5f, true, new Generator(42)).ToArray();
        var c = Ops.Dropout(x, 0.5f, true, new Generator(43)).ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void DropoutGradientIsTheMaskTimesTheScale()
    {
        var x = Tensor.Uniform(new Generator(3), 1f, 2f, 1000).RequireGrad();
        var y = Ops.Dropout(x, 0.25f, true, new Generator(5));
        y.Backward(Tensor.Ones(1000));
        var yv = y.ToArray();
        var gv = x.Grad!.ToArray();
        for (int i = 0; i < yv.Length; i++) Assert.Equal(yv[i] == 0f ? 0f : 1f / 0.75f, gv[i]);
    }

    [Fact]
    public void DropoutIsIdentityInEvalOrAtZeroAndZeroAtOne()
    {
        var x = Tensor.Randn(new Generator(4), 10);
        Assert.Same(x, Ops.Dropout(x, 0.5f, training: false, new Generator(1)));
        Assert.Same(x, Ops.Dropout(x, 0f, training: true, new Generator(1)));
        Assert.All(Ops.Dropout(x, 1f, training: true, new Generator(1)).ToArray(), v => Assert.Equal(0f, v));
        Assert.Throws<ArgumentException>(() => Ops.Dropout(x, 1.5f, true, new Generator(1)));
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.5, 0.5204998778130465)]
    [InlineData(1.0, 0.8427007929497149)]
    [InlineData(-1.5, -0.9661051464753108)]
    [InlineData(2.5, 0.9995930479825550)]
    [InlineData(-3.0, -0.9999779095030014)]
    [InlineData(4.5, 0.9999999998033839)]
    public void ErfMatchesReferenceValues(double x, double expected) =>
        Assert.True(Math.Abs(Ops.Erf(x) - expected) < 1e-14, $"erf({x}) = {Ops.Erf(x):R}, expected {expected:R}");

    [Theory]
    [InlineData(0.0, 0.5)]
    [InlineData(1.0, 0.8413447460685429)]
    [InlineData(-1.0, 0.15865525393145707)]
    [InlineData(-2.4, 0.008197535924596138)]
    [InlineData(2.6, 0.9953388119762813)]
    [InlineData(-3.0, 0.0013498980316300957)]
    [InlineData(-6.0, 9.865876450377012e-10)]
    [InlineData(7.5, 0.9999999999999681)]
    [InlineData(-20.0, 2.7536241186063314e-89)]
    public void NormalCdfIsAccurateRelativeToItsSize(double x, double expected)
    {
        // Values from Python's math.erfc; GELU is x·Φ(x), so Φ's relative error is GELU's.
        double cdf = Ops.NormalCdf(x, out double pdf);
        Assert.True(Math.Abs(cdf - expected) <= 1e-9 * expected, $"Φ({x}) = {cdf:R}, expected {expected:R}");
        Assert.Equal(Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI), pdf, 1e-15);
        // And it agrees with the independent series/continued-fraction erf.
        Assert.True(Math.Abs(cdf - 0.5 * (1 + Ops.Erf(x / Math.Sqrt(2)))) <= 1e-9 * Math.Max(expected, 1e-6));
    }

    [Fact]
    public void GeluSimdLanesMatchTheScalarFormulaFromTailToTail()
    {
        // 1201 values: the SIMD lanes take all but the last few, which go through the scalar loop.
        var values = Enumerable.Range(0, 1201).Select(i => -12f + 0.02f * i).ToArray();
        var x = Tensor.From(values).RequireGrad();
        var y = x.Gelu();
        y.Backward(Tensor.Ones(values.Length));
        var yv = y.ToArray();
        var gv = x.Grad!.ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            double v = values[i];
            double cdf = Ops.NormalCdf(v, out double pdf);
            double expectedY = v * cdf, expectedSlope = cdf + v * pdf;
            Assert.True(Math.Abs(yv[i] - expectedY) <= 1e-6 * Math.Abs(expectedY) + 1e-30, $"gelu({v}) = {yv[i]}, expected {expectedY}");
            Assert.True(Math.Abs(gv[i] - expectedSlope) <= 1e-6 * Math.Abs(expectedSlope) + 1e-30, $"gelu'({v}) = {gv[i]}, expected {expectedSlope}");
        }
    }

    [Fact]
    public void KlOfIdenticalLogitsIsZeroAndCrossEntropyOfAllIgnoredIsNaN()
    {
        var logits = Tensor.Randn(new Generator(6), 3, 4);
        Assert.Equal(0f, Ops.KlDivLogits(logits, logits, 3f).Item(), 6);
        Assert.True(float.IsNaN(Ops.CrossEntropy(logits, [-100, -100, -100]).Item()));
    }

    [Fact]
    public void SoftmaxOfHugeLogitsStaysFinite()
    {
        var x = Tensor.From([1000f, 1001f, 999f, -1000f], 1, 4);
        var p = x.Softmax(-1).ToArray();
        Assert.All(p, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(1f, p.Sum(), 5);
        Assert.All(x.LogSoftmax(-1).ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void BadInputsNameTheShapes()
    {
        var logits = Tensor.Zeros(2, 3);
        var ce = Assert.Throws<ArgumentException>(() => Ops.CrossEntropy(logits, [0, 3]));
        Assert.Contains("[2, 3]", ce.Message);
        Assert.Contains("target 3", ce.Message);
        Assert.Contains("3 targets", Assert.Throws<ArgumentException>(() => Ops.CrossEntropy(logits, [0, 1, 2])).Message);
        Assert.Contains("[2, 3, 4]", Assert.Throws<ArgumentException>(() => Ops.CrossEntropy(Tensor.Zeros(2, 3, 4), [0, 1])).Message);
        Assert.Contains("[4]", Assert.Throws<ArgumentException>(() => Ops.CrossEntropy(logits, [0, 1], Tensor.Ones(4))).Message);
        Assert.Contains("[2, 4]", Assert.Throws<ArgumentException>(() => Ops.KlDivLogits(logits, Tensor.Zeros(2, 4), 2f)).Message);
        Assert.Contains("[3, 2]", Assert.Throws<ArgumentException>(() => Ops.MseLoss(logits, Tensor.Zeros(3, 2))).Message);
        Assert.Contains("[2, 2]", Assert.Throws<ArgumentException>(() => Ops.BinaryCrossEntropyWithLogits(logits, Tensor.Zeros(2, 2))).Message);
        Assert.Contains("[2, 3], [2, 4]", Assert.Throws<ArgumentException>(() => Ops.Concat([logits, Tensor.Zeros(2, 4)], 0)).Message);
        Assert.Contains("[2, 3], [3, 2]", Assert.Throws<ArgumentException>(() => Ops.Stack([logits, Tensor.Zeros(3, 2)], 0)).Message);
        Assert.Contains("index 5", Assert.Throws<ArgumentException>(() => Ops.Gather(logits, 1, [0, 5], [1, 2])).Message);
        Assert.Contains("index 3", Assert.Throws<ArgumentException>(() => Ops.IndexSelect(logits, 1, [0, 3])).Message);
        Assert.Contains("dimension 2", Assert.Throws<ArgumentException>(() => Ops.Softmax(logits, 2)).Message);
        Assert.Contains("[2, 3]", Assert.Throws<ArgumentException>(() => Ops.Sum(logits, -3)).Message);
    }

    [Fact]
    public void EmbeddingRejectsIndicesOutOfRange()
    {
        var weight = Tensor.Zeros(4, 2);
        var ex = Assert.Throws<ArgumentException>(() => Ops.Embedding(weight, [0, 4]));
        Assert.Contains("index 4", ex.Message);
        Assert.Contains("[4, 2]", ex.Message);
        Assert.Contains("index -1", Assert.Throws<ArgumentException>(() => Ops.Embedding(weight, [-1])).Message);
        Assert.Contains("offsets[0]", Assert.Throws<ArgumentException>(() => Ops.EmbeddingBag(weight, [0, 1], [1])).Message);
        Assert.Contains("must not decrease", Assert.Throws<ArgumentException>(() => Ops.EmbeddingBag(weight, [0, 1], [0, 2, 1])).Message);
        Assert.Contains("\"sum\"", Assert.Throws<ArgumentException>(() => Ops.EmbeddingBag(weight, [0, 1], [0], "mean", Tensor.Ones(2))).Message);
        Assert.Contains("mode", Assert.Throws<ArgumentException>(() => Ops.EmbeddingBag(weight, [0, 1], [0], "median")).Message);
    }

    [Fact]
    public void EmbeddingPaddingRowGetsNoGradient()
    {
        // Not a true derivative (the padding row still feeds the output), so gradcheck cannot test it.
        var weight = Tensor.Randn(new Generator(8), 4, 2).RequireGrad();
        var y = Ops.Embedding(weight, [1, 3, 1, 0], [2, 2], paddingIdx: 1);
        Assert.Equal(new[] { 2, 2, 2 }, y.Shape.ToArray());
        Assert.Equal(weight[1, 0], y[0, 0, 0]);
        y.Backward(Tensor.Ones(2, 2, 2));
        Assert.Equal([1f, 1f, 0f, 0f, 0f, 0f, 1f, 1f], weight.Grad!.ToArray());
    }

    [Fact]
    public void ArgMaxTakesTheFirstOfTiesAndMaxRoutesItsGradientThere()
    {
        var x = Tensor.From([1f, 3f, 3f, 1f, 2f, 2f], 2, 3).RequireGrad();
        Assert.Equal(new[] { 1, 1 }, x.ArgMax(1));
        Assert.Equal(new[] { 0, 0, 0 }, x.ArgMax(0));
        Assert.Equal(new[] { 0, 1, 1 }, x.ArgMin(0));
        Ops.Sum(x.Max(1)).Backward();
        Assert.Equal([0f, 1f, 0f, 0f, 1f, 0f], x.Grad!.ToArray());
    }
}
