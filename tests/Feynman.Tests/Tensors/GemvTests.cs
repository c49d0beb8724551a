using Feynman.Tensors.Kernels;

namespace Feynman.Tests.Tensors;

public class GemvTests
{
    [Theory]
    [InlineData(1, 1, false, true)]
    [InlineData(3, 7, true, true)]
    [InlineData(4, 8, false, false)]
    [InlineData(5, 9, true, false)]
    [InlineData(10, 256, true, true)]
    [InlineData(256, 784, true, true)]
    [InlineData(13, 1031, false, true)]
    public void MatchesNaiveProduct(int outF, int inF, bool relu, bool withBias)
    {
        var rng = new Random(outF * 1000 + inF);
        var w = Values(outF * inF, rng);
        var x = Values(inF, rng);
        var b = withBias ? Values(outF, rng) : [];
        var y = new float[outF];
        Array.Fill(y, float.NaN); // the output is written, never read
        Gemv.Linear(w, x, b, y, relu);
        for (int r = 0; r < outF; r++)
        {
            double sum = withBias ? b[r] : 0, scale = Math.Abs(sum);
            for (int i = 0; i < inF; i++)
            {
                sum += (double)w[r * inF + i] * x[i];
                scale += Math.Abs((double)w[r * inF + i] * x[i]);
            }
            double expected = relu ? Math.Max(sum, 0) : sum;
            Assert.True(Math.Abs(y[r] - expected) <= 1e-6 * scale + 1e-7, $"gemv {outF}x{inF} row {r}: {y[r]}, expected {expected}.");
        }
        if (relu) Assert.All(y, v => Assert.True(v >= 0f));
    }

    [Fact]
    public void RejectsMismatchedSizes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gemv.Linear(new float[11], new float[4], [], new float[3]));
        Assert.Contains("expected [3, 4]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Gemv.Linear(new float[12], new float[4], new float[2], new float[3]));
        Assert.Contains("bias holds 2", ex.Message);
    }

    private static float[] Values(int count, Random rng) => Enumerable.Range(0, count).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
}
