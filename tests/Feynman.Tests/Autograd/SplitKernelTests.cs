using Feynman.Autograd;
using Feynman.Tensors;
using Feynman.Tests.Support;

namespace Feynman.Tests.Autograd;

/// <summary>
/// ReLU and max-pool on activations large enough (≥ 256K elements) that they split across the kernel
/// threads, checked element by element against direct loops.
/// </summary>
public class SplitKernelTests
{
    [Fact]
    public void ReluForwardAndBackwardOnLargeInputMatchDirectLoop()
    {
        var rng = new Generator(5);
        var x = Tensor.Uniform(rng, -1f, 1f, 3, 16, 100, 101).RequireGrad(); // odd length: ranges end off the 16-float grid
        var y = Ops.Relu(x);
        var gy = Tensor.Uniform(rng, -1f, 1f, y.Shape);
        y.Backward(gy);
        var xs = x.ToArray();
        var gs = gy.ToArray();
        AssertClose.Equal(xs.Select(v => MathF.Max(v, 0f)).ToArray(), y, rtol: 0, atol: 1e-7, what: "relu output");
        AssertClose.Equal(xs.Select((v, i) => v > 0f ? gs[i] : 0f).ToArray(), x.Grad!, rtol: 0, atol: 1e-7, what: "relu grad");
    }

    [Fact]
    public void MaxPoolForwardAndBackwardOnLargeInputMatchDirectLoop()
    {
        var rng = new Generator(6);
        int n = 3, c = 16, h = 96, w = 98;
        var x = Tensor.Uniform(rng, -1f, 1f, n, c, h, w).RequireGrad();
        var y = Ops.MaxPool2d(x, 2);
        Assert.Equal([n, c, h / 2, w / 2], y.Shape.ToArray());
        var gy = Tensor.Uniform(rng, -1f, 1f, y.Shape);
        y.Backward(gy);
        var xs = x.ToArray();
        var gs = gy.ToArray();
        var expected = new float[y.Count];
        var grad = new float[x.Count];
        int oh = h / 2, ow = w / 2;
        for (int plane = 0; plane < n * c; plane++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                {
                    int best = -1;
                    for (int dy = 0; dy < 2; dy++)
                        for (int dx = 0; dx < 2; dx++)
                        {
                            int i = (plane * h + 2 * oy + dy) * w + 2 * ox + dx;
                            if (best < 0 || xs[i] > xs[best]) best = i;
                        }
                    int o = (plane * oh + oy) * ow + ox;
                    expected[o] = xs[best];
                    grad[best] += gs[o];
                }
        AssertClose.Equal(expected, y, rtol: 0, atol: 1e-7, what: "max-pool output");
        AssertClose.Equal(grad, x.Grad!, rtol: 0, atol: 1e-7, what: "max-pool grad");
    }
}
