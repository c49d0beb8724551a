using Feynman.Autograd;
using Feynman.Tensors;
using Feynman.Tests.Support;

namespace Feynman.Tests.Autograd;

/// <summary>Numerical gradient checks and shape errors for Conv2d, pooling, BatchNorm, LayerNorm and attention.</summary>
public class ConvPoolNormAttentionGradTests
{
    private static Tensor Param(Generator rng, params int[] shape) => Tensor.Uniform(rng, -1f, 1f, shape).RequireGrad();

    /// <summary>Distinct values 0.05 apart in random order, so a ±0.01 step never changes which element is the maximum.</summary>
    private static Tensor Distinct(Generator rng, params int[] shape)
    {
        var t = Tensor.Empty(shape);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++) s[i] = (i - s.Length / 2) * 0.05f;
        for (int i = s.Length - 1; i > 0; i--)
        {
            int j = (int)(rng.NextFloat() * (i + 1)) % (i + 1);
            (s[i], s[j]) = (s[j], s[i]);
        }
        return t.RequireGrad();
    }

    private static void AssertGrad(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        var r = GradCheck.Run(f, inputs);
        Assert.True(r.MaxError <= 1, r.ToString());
    }

    [Fact]
    public void Conv2dGradients()
    {
        var rng = new Generator(11);
        AssertGrad(t => Ops.Conv2d(t[0], t[1], t[2], stride: 1, padding: 1), Param(rng, 2, 2, 4, 5), Param(rng, 3, 2, 3, 3), Param(rng, 3));
        AssertGrad(t => Ops.Conv2d(t[0], t[1], t[2], (2, 2), (1, 1)), Param(rng, 2, 2, 5, 6), Param(rng, 3, 2, 3, 3), Param(rng, 3));
        AssertGrad(t => Ops.Conv2d(t[0], t[1], null, (2, 1), (0, 1)), Param(rng, 1, 3, 6, 5), Param(rng, 2, 3, 2, 3));
        AssertGrad(t => Ops.Conv2d(t[0], t[1], t[2]), Param(rng, 2, 3, 3, 3), Param(rng, 4, 3, 1, 1), Param(rng, 4));
        // Input without gradient (a network's first layer): only weight and bias are differentiated.
        AssertGrad(t => Ops.Conv2d(t[0], t[1], t[2], 1, 1), Tensor.Uniform(rng, -1f, 1f, 2, 1, 5, 5), Param(rng, 3, 1, 3, 3), Param(rng, 3));
        AssertGrad(t => Ops.Conv2d(t[0], t[1], t[2], 2, 1), Tensor.Uniform(rng, -1f, 1f, 2, 2, 5, 5), Tensor.Uniform(rng, -1f, 1f, 3, 2, 3, 3), Param(rng, 3));
        // Kernel taller than the input: most of every column block is padding.
        AssertGrad(t => Ops.Conv2d(t[0], t[1], t[2], (1, 1), (2, 1)), Param(rng, 2, 1, 1, 4), Param(rng, 2, 1, 5, 3), Param(rng, 2));
    }

    [Fact]
    public void PoolGradients()
    {
        var rng = new Generator(12);
        AssertGrad(t => Ops.MaxPool2d(t[0], 2), Distinct(rng, 2, 2, 4, 6));
        AssertGrad(t => Ops.MaxPool2d(t[0], 2), Distinct(rng, 1, 1, 5, 19));
        AssertGrad(t => Ops.MaxPool2d(t[0], 3, stride: 2, padding: 1), Distinct(rng, 1, 2, 5, 5));
        AssertGrad(t => Ops.MaxPool2d(t[0], (2, 3), (1, 2), (1, 0)), Distinct(rng, 2, 5, 7));
        AssertGrad(t => Ops.AvgPool2d(t[0], 2), Param(rng, 2, 2, 4, 6));
        AssertGrad(t => Ops.AvgPool2d(t[0], 3, stride: 2, padding: 1), Param(rng, 1, 2, 5, 5));
        AssertGrad(t => Ops.AvgPool2d(t[0], 3, stride: 2, padding: 1, countIncludePad: false), Param(rng, 1, 2, 5, 5));
    }

    [Fact]
    public void BatchNormGradients()
    {
        var rng = new Generator(13);
        // Training: batch statistics (no running stats, which GradCheck's repeated calls would keep updating).
        AssertGrad(t => Ops.BatchNorm(t[0], null, null, t[1], t[2], training: true), Param(rng, 3, 2, 2, 3), Param(rng, 2), Param(rng, 2));
        AssertGrad(t => Ops.BatchNorm(t[0], null, null, t[1], t[2], training: true), Param(rng, 5, 3), Param(rng, 3), Param(rng, 3));
        AssertGrad(t => Ops.BatchNorm(t[0], null, null, training: true), Param(rng, 2, 3, 4));
        var mean = Tensor.From([0.1f, -0.2f]);
        var variance = Tensor.From([0.5f, 1.5f]);
        AssertGrad(t => Ops.BatchNorm(t[0], mean, variance, t[1], t[2], training: false), Param(rng, 3, 2, 2, 2), Param(rng, 2), Param(rng, 2));
        AssertGrad(t => Ops.BatchNorm(t[0], mean, variance, t[1], t[2], training: false), Param(rng, 4, 2), Param(rng, 2), Param(rng, 2));
    }

    [Fact]
    public void LayerNormGradients()
    {
        var rng = new Generator(14);
        AssertGrad(t => Ops.LayerNorm(t[0], [5], t[1], t[2]), Param(rng, 3, 5), Param(rng, 5), Param(rng, 5));
        AssertGrad(t => Ops.LayerNorm(t[0], [3, 4], t[1], t[2]), Param(rng, 2, 3, 4), Param(rng, 3, 4), Param(rng, 3, 4));
        AssertGrad(t => Ops.LayerNorm(t[0], [6]), Param(rng, 4, 6));
    }

    [Fact]
    public void AttentionGradients()
    {
        var rng = new Generator(15);
        AssertGrad(t => Ops.ScaledDotProductAttention(t[0], t[1], t[2]), Param(rng, 1, 2, 3, 4), Param(rng, 1, 2, 4, 4), Param(rng, 1, 2, 4, 3));
        AssertGrad(t => Ops.ScaledDotProductAttention(t[0], t[1], t[2], isCausal: true), Param(rng, 2, 1, 4, 3), Param(rng, 2, 1, 4, 3), Param(rng, 2, 1, 4, 2));
        AssertGrad(t => Ops.ScaledDotProductAttention(t[0], t[1], t[2], t[3]), Param(rng, 2, 3, 4), Param(rng, 2, 5, 4), Param(rng, 2, 5, 2), Param(rng, 3, 5));
        // Self-attention on one tensor: three gradients into one buffer.
        AssertGrad(t => Ops.ScaledDotProductAttention(t[0], t[0], t[0], isCausal: true), Param(rng, 2, 4, 3));
        AssertGrad(t => Ops.ScaledDotProductAttention(t[0], t[1], t[1]), Param(rng, 2, 4, 3), Param(rng, 2, 5, 3));
        AssertGrad(t => Ops.ScaledDotProductAttention(t[0], t[1], t[2], isCausal: true, scale: 0.7f), Param(rng, 4, 3), Param(rng, 5, 3), Param(rng, 5, 2));
    }

    [Fact]
    public void GradientsAccumulateOnSecondBackward()
    {
        // Each backward has a fresh-buffer path and an accumulate path; the second call must add exactly the first's gradient.
        var rng = new Generator(16);
        var cases = new (Func<Tensor[], Tensor> F, Tensor[] Inputs)[]
        {
            (t => Ops.Conv2d(t[0], t[1], t[2], (2, 1), (1, 1)), [Param(rng, 2, 2, 5, 4), Param(rng, 3, 2, 3, 3), Param(rng, 3)]),
            (t => Ops.MaxPool2d(t[0], 2), [Distinct(rng, 1, 2, 4, 4)]),
            (t => Ops.MaxPool2d(t[0], 2), [Distinct(rng, 1, 2, 7, 21)]), // vectorised rows (10 outputs), odd sizes
            (t => Ops.MaxPool2d(t[0], 2), [Distinct(rng, 2, 1, 6, 13)]), // 6 outputs per row
            (t => Ops.AvgPool2d(t[0], 3, 1, 1), [Param(rng, 1, 2, 4, 4)]),
            (t => Ops.BatchNorm(t[0], null, null, t[1], t[2], training: true), [Param(rng, 4, 3, 2), Param(rng, 3), Param(rng, 3)]),
            (t => Ops.BatchNorm(t[0], null, null, t[1], t[2], training: true), [Param(rng, 5, 3), Param(rng, 3), Param(rng, 3)]),
            (t => Ops.LayerNorm(t[0], [4], t[1], t[2]), [Param(rng, 3, 4), Param(rng, 4), Param(rng, 4)]),
            (t => Ops.ScaledDotProductAttention(t[0], t[1], t[2], t[3], isCausal: true), [Param(rng, 2, 3, 4), Param(rng, 2, 3, 4), Param(rng, 2, 3, 4), Param(rng, 3, 3)]),
        };
        foreach (var (f, inputs) in cases)
        {
            var w = Tensor.Uniform(rng, -1f, 1f, f(inputs).Shape);
            f(inputs).Backward(w);
            var first = inputs.Select(t => t.Grad!.ToArray()).ToArray();
            f(inputs).Backward(w);
            for (int i = 0; i < inputs.Length; i++)
                AssertClose.Equal(first[i].Select(v => 2 * v).ToArray(), inputs[i].Grad!, rtol: 1e-5, atol: 1e-6, what: $"input {i}");
        }
    }

    [Theory]
    [InlineData(4, 8, 30, 8, 3, 1, 1)] // three samples per chunk, last chunk of one
    [InlineData(2, 150, 30, 4, 1, 1, 0)] // one sample per chunk, 1x1 kernel read in place
    [InlineData(3, 3, 31, 70, 3, 2, 1)] // three samples in one chunk, stride 2
    [InlineData(5, 8, 20, 16, 3, 1, 1)] // enough work to split by samples across the kernel threads (2 and 3 samples)
    public void Conv2dMatchesDirectConvolutionOnLargerInputs(int n, int c, int size, int o, int k, int stride, int pad)
    {
        // Shapes large enough to exercise the chunking of the batch, checked against a direct loop in double.
        var rng = new Generator(17);
        var x = Param(rng, n, c, size, size);
        var w = Param(rng, o, c, k, k);
        var b = Param(rng, o);
        var y = Ops.Conv2d(x, w, b, stride, pad);
        int oh = (size + 2 * pad - k) / stride + 1;
        Assert.Equal([n, o, oh, oh], y.Shape.ToArray());
        var gy = Tensor.Uniform(rng, -1f, 1f, y.Shape);
        y.Backward(gy);

        var xs = x.ToArray();
        var ws = w.ToArray();
        var gs = gy.ToArray();
        var bs = b.ToArray();
        var expected = new float[y.Count];
        var gx = new double[x.Count];
        var gw = new double[w.Count];
        var gb = new double[o];
        for (int s = 0; s < n; s++)
            for (int oc = 0; oc < o; oc++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < oh; ox++)
                    {
                        int yi = ((s * o + oc) * oh + oy) * oh + ox;
                        double acc = bs[oc];
                        gb[oc] += gs[yi];
                        for (int ci = 0; ci < c; ci++)
                            for (int ki = 0; ki < k; ki++)
                                for (int kj = 0; kj < k; kj++)
                                {
                                    int iy = oy * stride - pad + ki, ix = ox * stride - pad + kj;
                                    if (iy < 0 || iy >= size || ix < 0 || ix >= size) continue;
                                    int xi = ((s * c + ci) * size + iy) * size + ix, wi = ((oc * c + ci) * k + ki) * k + kj;
                                    acc += (double)xs[xi] * ws[wi];
                                    gx[xi] += (double)gs[yi] * ws[wi];
                                    gw[wi] += (double)gs[yi] * xs[xi];
                                }
                        expected[yi] = (float)acc;
                    }
        AssertClose.Equal(expected, y, rtol: 1e-4, atol: 1e-4, what: "output");
        AssertClose.Equal(gx.Select(v => (float)v).ToArray(), x.Grad!, rtol: 1e-4, atol: 1e-4, what: "grad x");
        AssertClose.Equal(gw.Select(v => (float)v).ToArray(), w.Grad!, rtol: 1e-4, atol: 1e-3, what: "grad weight");
        AssertClose.Equal(gb.Select(v => (float)v).ToArray(), b.Grad!, rtol: 1e-4, atol: 1e-3, what: "grad bias");
    }

    [Fact]
    public void BatchNormTrainingUpdatesRunningStatsWithUnbiasedVariance()
    {
        var x = Tensor.From([1f, 2f, 3f, 6f], 4, 1);
        var mean = Tensor.From([0f], 1);
        var variance = Tensor.From([1f], 1);
        var y = Ops.BatchNorm(x, mean, variance, training: true, momentum: 0.5f, eps: 0f);
        // batch mean 3, biased variance 3.5, unbiased 14/3
        Assert.Equal(1.5f, mean.Span[0], 5);
        Assert.Equal(0.5f * 1f + 0.5f * 14f / 3f, variance.Span[0], 5);
        Assert.Equal(-2f / MathF.Sqrt(3.5f), y.Span[0], 5);
    }

    [Fact]
    public void ShapeErrorsNameTheShapes()
    {
        var rng = new Generator(18);
        var x = Param(rng, 2, 3, 5, 5);
        var ex = Assert.Throws<ArgumentException>(() => Ops.Conv2d(x, Param(rng, 4, 2, 3, 3)));
        Assert.Contains("[2, 3, 5, 5]", ex.Message);
        Assert.Contains("[4, 2, 3, 3]", ex.Message);
        Assert.Contains("[3]", Assert.Throws<ArgumentException>(() => Ops.Conv2d(x, Param(rng, 4, 3, 3, 3), Param(rng, 3))).Message);
        Assert.Contains("dilation", Assert.Throws<ArgumentException>(() => Ops.Conv2d(x, Param(rng, 4, 3, 3, 3), dilation: 2)).Message);
        Assert.Contains("groups", Assert.Throws<ArgumentException>(() => Ops.Conv2d(x, Param(rng, 4, 3, 3, 3), groups: 3)).Message);
        Assert.Contains("[2, 3, 5]", Assert.Throws<ArgumentException>(() => Ops.Conv2d(Param(rng, 2, 3, 5), Param(rng, 4, 3, 3, 3))).Message);
        Assert.Contains("padding", Assert.Throws<ArgumentException>(() => Ops.MaxPool2d(x, 2, padding: 2)).Message);
        Assert.Contains("[2, 3, 5, 5]", Assert.Throws<ArgumentException>(() => Ops.AvgPool2d(x, 7)).Message);
        Assert.Contains("[4]", Assert.Throws<ArgumentException>(() => Ops.BatchNorm(x, null, null, Param(rng, 4), training: true)).Message);
        Assert.Contains("running", Assert.Throws<ArgumentException>(() => Ops.BatchNorm(x, null, null)).Message);
        Assert.Contains("more than one value", Assert.Throws<ArgumentException>(() => Ops.BatchNorm(Param(rng, 1, 3), null, null, training: true)).Message);
        Assert.Contains("[4, 5]", Assert.Throws<ArgumentException>(() => Ops.LayerNorm(x, [4, 5])).Message);
        Assert.Contains("[4]", Assert.Throws<ArgumentException>(() => Ops.LayerNorm(x, [5], Param(rng, 4))).Message);
        var q = Param(rng, 2, 3, 4);
        Assert.Contains("[2, 5, 3]", Assert.Throws<ArgumentException>(() => Ops.ScaledDotProductAttention(q, Param(rng, 2, 5, 3), Param(rng, 2, 5, 3))).Message);
        Assert.Contains("[4, 4]", Assert.Throws<ArgumentException>(() => Ops.ScaledDotProductAttention(q, q, q, Param(rng, 4, 4))).Message);
    }
}
