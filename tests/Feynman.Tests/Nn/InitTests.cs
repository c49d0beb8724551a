using Feynman.Nn;
using Feynman.Tensors;

namespace Feynman.Tests.Nn;

public class InitTests
{
    [Fact]
    public void FansFollowPyTorch()
    {
        Assert.Equal((20, 16), Init.CalculateFanInAndFanOut(Tensor.Zeros(16, 20)));
        // Conv weight [out, in, kh, kw]: fans multiply by the receptive field.
        Assert.Equal((3 * 9, 8 * 9), Init.CalculateFanInAndFanOut(Tensor.Zeros(8, 3, 3, 3)));
        Assert.Throws<ArgumentException>(() => Init.CalculateFanInAndFanOut(Tensor.Zeros(5)));
        Assert.Equal(Math.Sqrt(2), Init.CalculateGain("relu"), 12);
        Assert.Equal(5.0 / 3, Init.CalculateGain("tanh"), 12);
        Assert.Equal(Math.Sqrt(2 / (1 + 0.01 * 0.01)), Init.CalculateGain("leaky_relu"), 12);
        Assert.Equal(Math.Sqrt(2 / 6.0), Init.CalculateGain("leaky_relu", Math.Sqrt(5)), 12);
        Assert.Throws<ArgumentException>(() => Init.CalculateGain("swish"));
    }

    /// <summary>Max |value| close to the bound, and sample variance close to bound²/3 (the uniform's).</summary>
    private static void AssertUniform(Tensor t, double bound)
    {
        var v = t.ToArray();
        double max = v.Max(x => Math.Abs(x));
        Assert.True(max <= bound && max > 0.97 * bound, $"max |w| = {max}, bound {bound}");
        double variance = v.Select(x => (double)x * x).Average();
        Assert.InRange(variance, 0.9 * bound * bound / 3, 1.1 * bound * bound / 3);
    }

    [Fact]
    public void LinearDefaultInitIsUniformOneOverSqrtFanIn()
    {
        var layer = new Linear(100, 300, rng: new Generator(1));
        AssertUniform(layer.Weight, 1 / Math.Sqrt(100));
        var bias = layer.Bias!.ToArray();
        Assert.All(bias, b => Assert.InRange(Math.Abs(b), 0, 1 / Math.Sqrt(100)));
        Assert.True(bias.Max() > 0.08 && bias.Min() < -0.08);
        // Seeded: the same generator seed gives the same layer.
        Assert.Equal(layer.Weight.ToArray(), new Linear(100, 300, rng: new Generator(1)).Weight.ToArray());
    }

    [Fact]
    public void KaimingAndXavierBounds()
    {
        var rng = new Generator(2);
        var w = TensorScope.Outside(() => Tensor.Empty(200, 150));
        AssertUniform(Init.KaimingUniform(w, nonlinearity: "relu", rng: rng), Math.Sqrt(2) * Math.Sqrt(3.0 / 150));
        AssertUniform(Init.KaimingUniform(w, mode: "fan_out", nonlinearity: "relu", rng: rng), Math.Sqrt(2) * Math.Sqrt(3.0 / 200));
        AssertUniform(Init.XavierUniform(w, rng: rng), Math.Sqrt(6.0 / 350));
        var std = Math.Sqrt(2.0 / 150);
        var v = Init.KaimingNormal(w, nonlinearity: "relu", rng: rng).ToArray();
        Assert.InRange(Math.Sqrt(v.Select(x => (double)x * x).Average()), 0.95 * std, 1.05 * std);
        v = Init.XavierNormal(w, gain: 2, rng: rng).ToArray();
        Assert.InRange(Math.Sqrt(v.Select(x => (double)x * x).Average()), 0.95 * 2 * Math.Sqrt(2.0 / 350), 1.05 * 2 * Math.Sqrt(2.0 / 350));
        Assert.All(Init.Zeros(w).ToArray(), x => Assert.Equal(0f, x));
        Assert.All(Init.Ones(w).ToArray(), x => Assert.Equal(1f, x));
        Assert.Throws<ArgumentException>(() => Init.KaimingUniform(w, mode: "fan_avg"));
    }
}
