using Feynman.Autograd;
using Feynman.Tensors;

namespace Feynman.Tests.Autograd;

public class CoreOpsGradTests
{
    private static Tensor Param(Generator rng, params int[] shape) => Tensor.Uniform(rng, -1f, 1f, shape).RequireGrad();

    /// <summary>Values at least 0.1 from zero, so kinks (relu, max) stay outside the finite-difference step.</summary>
    private static Tensor AwayFromZero(Generator rng, params int[] shape)
    {
        var t = Tensor.Uniform(rng, 0.1f, 1f, shape);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++) if (rng.NextFloat() < 0.5f) s[i] = -s[i];
        return t.RequireGrad();
    }

    private static void AssertGrad(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        var r = GradCheck.Run(f, inputs);
        Assert.True(r.MaxError <= 1, r.ToString());
    }

    [Fact]
    public void LinearGradients()
    {
        var rng = new Generator(1);
        AssertGrad(t => Ops.Linear(t[0], t[1], t[2]), Param(rng, 4, 5), Param(rng, 3, 5), Param(rng, 3));
    }

    [Fact]
    public void BatchedMatMulGradients()
    {
        var rng = new Generator(2);
        AssertGrad(t => Ops.MatMul(t[0], t[1]), Param(rng, 2, 3, 4), Param(rng, 2, 4, 5));
        AssertGrad(t => Ops.MatMul(t[0], t[1]), Param(rng, 2, 3, 4), Param(rng, 4, 2));
    }

    [Fact]
    public void BroadcastBinaryGradients()
    {
        var rng = new Generator(3);
        AssertGrad(t => t[0] + t[1], Param(rng, 3, 4), Param(rng, 4));
        AssertGrad(t => t[0] - t[1], Param(rng, 3, 1), Param(rng, 1, 4));
        AssertGrad(t => t[0] * t[1], Param(rng, 2, 3, 4), Param(rng, 3, 1));
        var denominator = Tensor.Uniform(rng, 1f, 2f, 4).RequireGrad();
        AssertGrad(t => t[0] / t[1], Param(rng, 3, 4), denominator);
    }

    [Fact]
    public void ViewGradients()
    {
        var rng = new Generator(4);
        AssertGrad(t => Ops.Transpose(t[0], 0, 1).Contiguous() * t[1], Param(rng, 3, 4), Param(rng, 4, 3));
        AssertGrad(t => Ops.Narrow(t[0], 1, 1, 2).Relu(), AwayFromZero(rng, 3, 4));
        AssertGrad(t => Ops.Expand(t[0], 3, 4) * t[1], Param(rng, 1, 4), Param(rng, 3, 4));
        AssertGrad(t => Ops.Permute(t[0], 2, 0, 1).Reshape(4, -1), Param(rng, 2, 3, 4));
    }

    [Fact]
    public void ReluAndReductions()
    {
        var rng = new Generator(5);
        AssertGrad(t => Ops.Mean(Ops.Relu(t[0]) * t[1]), AwayFromZero(rng, 5, 6), Param(rng, 6));
        AssertGrad(t => Ops.Sum(t[0] * 2f - 1f), Param(rng, 3));
    }

    [Fact]
    public void GradCheckDetectsAWrongGradient()
    {
        // A deliberately wrong backward: the check must fail, or the checks above prove nothing.
        var rng = new Generator(6);
        Tensor Wrong(Tensor[] t)
        {
            var x = t[0];
            var y = Tensor.Empty(x.Shape);
            x.Span.CopyTo(y.Span);
            System.Numerics.Tensors.TensorPrimitives.Multiply(y.Span, y.Span, y.Span); // y = x²
            if (AutogradEngine.ShouldRecord(x))
                AutogradEngine.Record(y, "square_wrong", [x], g => AutogradEngine.Accumulate(x, g.Span)); // should be 2x·g
            return y;
        }
        var r = GradCheck.Run(Wrong, [Param(rng, 6)]);
        Assert.True(r.MaxError > 1, r.ToString());
    }

    [Fact]
    public void GradientsAccumulateAcrossBackwardCalls()
    {
        var x = Tensor.From([1f, 2f, 3f]).RequireGrad();
        Ops.Sum(x * 2f).Backward();
        Ops.Sum(x * 3f).Backward();
        Assert.Equal([5f, 5f, 5f], x.Grad!.ToArray());
    }

    [Fact]
    public void NoGradRecordsNothing()
    {
        var x = Tensor.From([1f, 2f]).RequireGrad();
        using (GradMode.NoGrad())
        {
            var y = x * 2f;
            Assert.Null(y.GradFn);
            Assert.False(y.RequiresGrad);
        }
        Assert.NotNull((x * 2f).GradFn);
    }

    [Fact]
    public void DetachCutsTheGraph()
    {
        var x = Tensor.From([1f, 2f]).RequireGrad();
        var y = (x * 2f).Detach();
        Assert.True(y.IsLeaf);
        Assert.False(y.RequiresGrad);
    }

    [Fact]
    public void AnomalyModeNamesTheOpThatMadeNaN()
    {
        var x = Tensor.From([1f, 0f]).RequireGrad();
        using var _ = GradMode.DetectAnomaly();
        var ex = Assert.Throws<AnomalyException>(() => Ops.Div(x, x));
        Assert.Equal("div", ex.Operation);
        Assert.Contains("NaN", ex.Message);
    }
}
