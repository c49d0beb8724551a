using Feynman.Optim;
using Feynman.Tensors;

namespace Feynman.Tests.Optim;

public class OptimizerTests
{
    private static Tensor Param(Generator rng, params int[] shape) => TensorScope.Outside(() => Tensor.Randn(rng, shape)).RequireGrad();

    private static void SetGrad(Tensor p, Generator rng)
    {
        p.Grad?.Dispose();
        p.Grad = TensorScope.Outside(() => Tensor.Randn(rng, p.Shape.ToArray()));
    }

    [Fact]
    public void SgdFirstStepUsesGradientAsMomentumBuffer()
    {
        var p = Param(new Generator(1), 37); // 37: the SIMD body and the scalar tail both run
        var start = p.ToArray();
        var opt = new Sgd([p], lr: 0.5, momentum: 0.9, weightDecay: 0.1);
        SetGrad(p, new Generator(2));
        var g1 = p.Grad!.ToArray();
        opt.Step();
        var b1 = new float[37];
        for (int i = 0; i < 37; i++)
        {
            b1[i] = g1[i] + 0.1f * start[i];
            Assert.Equal(start[i] - 0.5f * b1[i], p.ToArray()[i], 1e-6f);
        }
        var p1 = p.ToArray();
        SetGrad(p, new Generator(3));
        var g2 = p.Grad!.ToArray();
        opt.Step();
        for (int i = 0; i < 37; i++)
        {
            float b2 = 0.9f * b1[i] + (g2[i] + 0.1f * p1[i]);
            Assert.Equal(p1[i] - 0.5f * b2, p.ToArray()[i], 1e-6f);
        }
        Assert.Equal(b1.Length, opt.StateDict().Tensors[0]["momentum_buffer"].Count);
    }

    [Fact]
    public void ParametersWithoutGradientsAreSkipped()
    {
        var rng = new Generator(4);
        var a = Param(rng, 5);
        var b = Param(rng, 5);
        var before = b.ToArray();
        var opt = new Adam([a, b], lr: 0.1);
        SetGrad(a, rng);
        opt.Step();
        Assert.Equal(before, b.ToArray());
        Assert.Equal(1, ((Adam)opt).StepCount(0));
        Assert.Equal(0, ((Adam)opt).StepCount(1));
        Assert.False(opt.StateDict().Tensors.ContainsKey(1));
    }

    [Fact]
    public void ZeroGradSetsGradientsToNull()
    {
        var rng = new Generator(5);
        var p = Param(rng, 3);
        SetGrad(p, rng);
        var grad = p.Grad!;
        var opt = new Sgd([p], lr: 0.1);
        opt.ZeroGrad();
        Assert.Null(p.Grad);
        Assert.True(grad.IsDisposed);
    }

    [Fact]
    public void ParamGroupsHaveTheirOwnRates()
    {
        var rng = new Generator(6);
        var a = Param(rng, 4);
        var b = Param(rng, 4);
        var (a0, b0) = (a.ToArray(), b.ToArray());
        var opt = new Sgd([new ParamGroup([a]), new ParamGroup([b], learningRate: 0.01, weightDecay: 0)], lr: 1, weightDecay: 0);
        a.Grad = TensorScope.Outside(() => Tensor.Ones(4));
        b.Grad = TensorScope.Outside(() => Tensor.Ones(4));
        opt.Step();
        Assert.Equal(a0.Select(v => v - 1f).ToArray(), a.ToArray());
        Assert.Equal(b0.Select(v => v - 0.01f).ToArray(), b.ToArray());
        opt.LearningRate = 0.5;
        Assert.All(opt.ParamGroups, g => Assert.Equal(0.5, g.LearningRate));
        Assert.Throws<ArgumentException>(() => new Sgd([new ParamGroup([a]), new ParamGroup([a])], lr: 1));
        Assert.Throws<ArgumentException>(() => new Sgd([a], lr: 1, nesterov: true));
    }

    [Fact]
    public void StepAllocatesNothingAfterTheFirst()
    {
        var rng = new Generator(7);
        var ps = new[] { Param(rng, 64, 33), Param(rng, 33), Param(rng, 5, 64) };
        foreach (var p in ps) SetGrad(p, rng);
        foreach (var opt in new Optimizer[] { new Sgd(ps, lr: 0.01, momentum: 0.9, nesterov: true), new Adam(ps), new AdamW(ps) })
        {
            opt.Step();
            opt.Step();
            long before = GC.GetAllocatedBytesForCurrentThread();
            opt.Step();
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    [Fact]
    public void StateDictRoundTripContinuesIdentically()
    {
        var rng = new Generator(8);
        var p = Param(rng, 19);
        var q = TensorScope.Outside(() => Tensor.From(p.ToArray(), 19)).RequireGrad();
        var a = new AdamW([p], lr: 0.05);
        for (int i = 0; i < 2; i++) { SetGrad(p, new Generator((ulong)i)); a.Step(); }
        p.ToArray().CopyTo(q.Span);
        var b = new AdamW([q], lr: 0.9, weightDecay: 0.5);
        b.LoadStateDict(a.StateDict());
        Assert.Equal(0.05, b.LearningRate);
        for (int i = 2; i < 4; i++)
        {
            SetGrad(p, new Generator((ulong)i));
            SetGrad(q, new Generator((ulong)i));
            a.Step();
            b.Step();
        }
        Assert.Equal(p.ToArray(), q.ToArray());
        Assert.Throws<ArgumentException>(() => new Sgd([q], lr: 1).LoadStateDict(a.StateDict()));
    }

    [Fact]
    public void ScheduleKeepsWorkingAfterLoadingAStateSavedWithoutOne()
    {
        var p = Param(new Generator(9), 3);
        var saved = new Sgd([p], lr: 0.2).StateDict();
        var opt = new Sgd([p], lr: 0.2);
        var schedule = new StepLR(opt, stepSize: 1, gamma: 0.5);
        opt.LoadStateDict(saved);
        schedule.Step();
        Assert.Equal(0.1, opt.LearningRate, 12);
    }

    [Fact]
    public void ClipByInfinityNormAndByValue()
    {
        var a = Param(new Generator(10), 2);
        var b = Param(new Generator(11), 2);
        a.Grad = TensorScope.Outside(() => Tensor.From([3f, -4f], 2));
        b.Grad = TensorScope.Outside(() => Tensor.From([1f, 0.5f], 2));
        double total = GradientClipping.ClipGradNorm([a, b], maxNorm: 2, normType: double.PositiveInfinity);
        Assert.Equal(4, total);
        Assert.Equal(3f * 2 / (4 + 1e-6f), a.Grad.ToArray()[0], 1e-6f);
        Assert.Equal(-4f * 2 / (4 + 1e-6f), a.Grad.ToArray()[1], 1e-6f);
        GradientClipping.ClipGradValue([a, b], 0.75);
        Assert.Equal([0.75f, -0.75f], a.Grad.ToArray());
        Support.AssertClose.Equal([0.5f, 0.25f], b.Grad, what: "b scaled by the norm clip, untouched by the value clip");
        b.Grad.Span[0] = float.NaN;
        Assert.Throws<InvalidOperationException>(() => GradientClipping.ClipGradNorm([a, b], 1, errorIfNonfinite: true));
    }
}
