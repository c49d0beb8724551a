using Feynman.Autograd;
using Feynman.Tensors;

namespace Feynman.Tests.Autograd;

/// <summary>Numerical gradient checks of every op in UnaryOps, DimReductionOps, SoftmaxOps, LossOps, DropoutOps, IndexingOps and EmbeddingOps.</summary>
public class OpsAGradTests
{
    private static Tensor Param(Generator rng, params int[] shape) => Tensor.Uniform(rng, -1f, 1f, shape).RequireGrad();

    private static Tensor Positive(Generator rng, params int[] shape) => Tensor.Uniform(rng, 0.5f, 2f, shape).RequireGrad();

    /// <summary>Values at least 0.1 from zero, so kinks stay outside the finite-difference step.</summary>
    private static Tensor AwayFromZero(Generator rng, params int[] shape)
    {
        var t = Tensor.Uniform(rng, 0.1f, 1f, shape);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++) if (rng.NextFloat() < 0.5f) s[i] = -s[i];
        return t.RequireGrad();
    }

    /// <summary>Distinct values 0.1 apart in random order, so max/min have a clear winner under the step.</summary>
    private static Tensor Distinct(Generator rng, params int[] shape)
    {
        var t = Tensor.Empty(shape);
        var order = rng.Permutation(t.Count);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++) s[i] = 0.1f * order[i] - 0.05f * s.Length;
        return t.RequireGrad();
    }

    private static void AssertGrad(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        var r = GradCheck.Run(f, inputs);
        Assert.True(r.MaxError <= 1, r.ToString());
    }

    [Fact]
    public void UnaryGradients()
    {
        var rng = new Generator(11);
        AssertGrad(t => t[0].Exp(), Param(rng, 3, 4));
        AssertGrad(t => t[0].Log(), Positive(rng, 3, 4));
        AssertGrad(t => t[0].Sqrt(), Positive(rng, 3, 4));
        AssertGrad(t => t[0].Pow(3f), Param(rng, 3, 4));
        AssertGrad(t => t[0].Pow(2f), Param(rng, 3, 4));
        AssertGrad(t => t[0].Pow(-1.5f), Positive(rng, 3, 4));
        AssertGrad(t => t[0].Pow(0f), Positive(rng, 3));
        AssertGrad(t => t[0].Abs(), AwayFromZero(rng, 3, 4));
        AssertGrad(t => t[0].Tanh(), Param(rng, 3, 4));
        AssertGrad(t => t[0].Sigmoid(), Param(rng, 3, 4));
    }

    [Fact]
    public void GeluGradients()
    {
        var rng = new Generator(12);
        AssertGrad(t => (t[0] * 3f).Gelu(), Param(rng, 4, 5));
        AssertGrad(t => (t[0] * 3f).Gelu(approximateTanh: true), Param(rng, 4, 5));
    }

    [Fact]
    public void ClampGradients()
    {
        var rng = new Generator(13);
        var x = AwayFromZero(rng, 4, 5);
        var s = x.Span;
        for (int i = 0; i < s.Length; i++) if (MathF.Abs(MathF.Abs(s[i]) - 0.5f) < 0.05f) s[i] += 0.1f;
        AssertGrad(t => t[0].Clamp(-0.5f, 0.5f), x);
        AssertGrad(t => t[0].Clamp(min: -0.5f), x);
        AssertGrad(t => t[0].Clamp(max: 0.5f), x);
    }

    [Fact]
    public void DimReductionGradients()
    {
        var rng = new Generator(14);
        for (int dim = -1; dim < 3; dim++)
        {
            int d = dim;
            AssertGrad(t => t[0].Sum(d), Param(rng, 2, 3, 4));
            AssertGrad(t => t[0].Mean(d, keepDim: true), Param(rng, 2, 3, 4));
            AssertGrad(t => t[0].Var(d), Param(rng, 2, 3, 4));
            AssertGrad(t => t[0].Max(d), Distinct(rng, 2, 3, 4));
            AssertGrad(t => t[0].Min(d, keepDim: true), Distinct(rng, 2, 3, 4));
        }
        AssertGrad(t => Ops.Var(t[0], 1, correction: 0), Param(rng, 3, 5));
    }

    [Fact]
    public void SoftmaxGradients()
    {
        var rng = new Generator(15);
        for (int dim = -1; dim < 3; dim++)
        {
            int d = dim;
            AssertGrad(t => (t[0] * 2f).Softmax(d), Param(rng, 2, 3, 4));
            AssertGrad(t => (t[0] * 2f).LogSoftmax(d), Param(rng, 2, 3, 4));
        }
        // A transposed (non-contiguous) input goes through Contiguous first.
        AssertGrad(t => t[0].Transpose(0, 1).Softmax(-1), Param(rng, 4, 3));
    }

    [Fact]
    public void HardCrossEntropyGradients()
    {
        var rng = new Generator(16);
        int[] targets = [1, -100, 4, 0, 4];
        var weights = Tensor.From([0.5f, 1f, 2f, 1.5f, 0.8f]);
        AssertGrad(t => Ops.CrossEntropy(t[0], [1, 2, 4, 0, 4]), Param(rng, 5, 5));
        AssertGrad(t => Ops.CrossEntropy(t[0], targets, weights), Param(rng, 5, 5));
        AssertGrad(t => Ops.CrossEntropy(t[0], targets, labelSmoothing: 0.2f), Param(rng, 5, 5));
        AssertGrad(t => Ops.CrossEntropy(t[0], targets, weights, ignoreIndex: -100, labelSmoothing: 0.1f), Param(rng, 5, 5));
        AssertGrad(t => Ops.CrossEntropy(t[0], [3, 3, 2, 7, 3], ignoreIndex: 7), Param(rng, 5, 5));
    }

    [Fact]
    public void SoftCrossEntropyGradients()
    {
        var rng = new Generator(17);
        Tensor Probabilities() => Ops.Softmax(Tensor.Randn(rng, 4, 6), -1).RequireGrad();
        AssertGrad(t => Ops.CrossEntropy(t[0], t[1]), Param(rng, 4, 6), Probabilities());
        AssertGrad(t => Ops.CrossEntropy(t[0], t[1], labelSmoothing: 0.1f), Param(rng, 4, 6), Probabilities());
        var weights = Tensor.Uniform(rng, 0.5f, 2f, 6);
        AssertGrad(t => Ops.CrossEntropy(t[0], t[1], weights, 0.1f), Param(rng, 4, 6), Probabilities());
    }

    [Fact]
    public void KlDivLogitsGradients()
    {
        var rng = new Generator(18);
        AssertGrad(t => Ops.KlDivLogits(t[0], t[1], 4f), Param(rng, 4, 5), Param(rng, 4, 5));
        AssertGrad(t => Ops.KlDivLogits(t[0] * 3f, t[1] * 3f, 1f), Param(rng, 4, 5), Param(rng, 4, 5));
        AssertGrad(t => Ops.KlDivLogits(t[0], t[1], 2f), Param(rng, 3, 7), Tensor.Randn(rng, 3, 7));
    }

    [Fact]
    public void BinaryCrossEntropyAndMseGradients()
    {
        var rng = new Generator(19);
        AssertGrad(t => Ops.BinaryCrossEntropyWithLogits(t[0] * 3f, t[1]), Param(rng, 4, 3), Tensor.Rand(rng, 4, 3).RequireGrad());
        var posWeight = Tensor.From([0.5f, 2f, 3f]);
        AssertGrad(t => Ops.BinaryCrossEntropyWithLogits(t[0] * 3f, t[1], posWeight), Param(rng, 4, 3), Tensor.Rand(rng, 4, 3).RequireGrad());
        AssertGrad(t => Ops.MseLoss(t[0], t[1]), Param(rng, 3, 4), Param(rng, 3, 4));
    }

    [Fact]
    public void LossesWithoutMeanReductionGradients()
    {
        var rng = new Generator(23);
        int[] targets = [1, -100, 4, 0];
        var weights = Tensor.From([0.5f, 1f, 2f, 1.5f, 0.8f]);
        foreach (var reduction in new[] { Reduction.None, Reduction.Sum })
        {
            var r = reduction;
            AssertGrad(t => Ops.CrossEntropy(t[0], targets, weights, labelSmoothing: 0.1f, reduction: r), Param(rng, 4, 5));
            AssertGrad(t => Ops.CrossEntropy(t[0], t[1], weights, 0.1f, r), Param(rng, 4, 5), Ops.Softmax(Tensor.Randn(rng, 4, 5), -1).RequireGrad());
            AssertGrad(t => Ops.KlDivLogits(t[0], t[1], 2f, r), Param(rng, 4, 5), Param(rng, 4, 5));
            AssertGrad(t => Ops.BinaryCrossEntropyWithLogits(t[0], t[1], Tensor.From([2f]), r), Param(rng, 4, 3), Tensor.Rand(rng, 4, 3).RequireGrad());
            AssertGrad(t => Ops.MseLoss(t[0], t[1], r), Param(rng, 3, 4), Param(rng, 3, 4));
        }
    }

    [Fact]
    public void GradientsAccumulateIntoExistingGradients()
    {
        // A second backward through a fresh graph must add exactly the first gradient again (the accumulate
        // branch of every backward, which gradcheck with fresh gradients never reaches).
        var rng = new Generator(24);
        var probabilities = Ops.Softmax(Tensor.Randn(rng, 3, 4), -1);
        var cases = new (string Name, Func<Tensor[], Tensor> F, Tensor[] Inputs)[]
        {
            ("exp", t => t[0].Exp(), [Param(rng, 3, 4)]),
            ("log", t => t[0].Log(), [Positive(rng, 3, 4)]),
            ("sqrt", t => t[0].Sqrt(), [Positive(rng, 3, 4)]),
            ("pow", t => t[0].Pow(3f), [Param(rng, 3, 4)]),
            ("abs", t => t[0].Abs(), [AwayFromZero(rng, 3, 4)]),
            ("tanh", t => t[0].Tanh(), [Param(rng, 3, 4)]),
            ("sigmoid", t => t[0].Sigmoid(), [Param(rng, 3, 4)]),
            ("gelu", t => t[0].Gelu(), [Param(rng, 3, 7)]),
            ("gelu_tanh", t => t[0].Gelu(true), [Param(rng, 3, 7)]),
            ("clamp", t => t[0].Clamp(-0.5f, 0.5f), [Param(rng, 3, 4)]),
            ("sum_dim", t => t[0].Sum(1), [Param(rng, 3, 4)]),
            ("mean_dim", t => t[0].Mean(0), [Param(rng, 3, 4)]),
            ("max_dim", t => t[0].Max(1), [Distinct(rng, 3, 4)]),
            ("var", t => t[0].Var(1), [Param(rng, 3, 4)]),
            ("softmax", t => t[0].Softmax(-1), [Param(rng, 3, 4)]),
            ("softmax_dim0", t => t[0].Softmax(0), [Param(rng, 3, 4)]),
            ("log_softmax", t => t[0].LogSoftmax(0), [Param(rng, 3, 4)]),
            ("cross_entropy", t => Ops.CrossEntropy(t[0], [1, -100, 3], labelSmoothing: 0.1f), [Param(rng, 3, 4)]),
            ("cross_entropy_soft", t => Ops.CrossEntropy(t[0], t[1]), [Param(rng, 3, 4), probabilities.Detach().RequireGrad()]),
            ("kl", t => Ops.KlDivLogits(t[0], t[1], 2f), [Param(rng, 3, 4), Param(rng, 3, 4)]),
            ("bce", t => Ops.BinaryCrossEntropyWithLogits(t[0], t[1]), [Param(rng, 3, 4), Tensor.Rand(rng, 3, 4).RequireGrad()]),
            ("mse", t => Ops.MseLoss(t[0], t[1]), [Param(rng, 3, 4), Param(rng, 3, 4)]),
            ("dropout", t => Ops.Dropout(t[0], 0.5f, true, new Generator(3)), [Param(rng, 3, 4)]),
            ("concat", t => Ops.Concat([t[0], t[1]], 1), [Param(rng, 3, 4), Param(rng, 3, 2)]),
            ("stack", t => Ops.Stack([t[0], t[1]], 0), [Param(rng, 3, 4), Param(rng, 3, 4)]),
            ("gather", t => t[0].Gather(1, [0, 0, 3, 2, 1, 1], [3, 2]), [Param(rng, 3, 4)]),
            ("index_select", t => t[0].IndexSelect(0, [2, 2, 0]), [Param(rng, 3, 4)]),
            ("embedding", t => Ops.Embedding(t[0], [1, 1, 2]), [Param(rng, 3, 4)]),
            ("embedding_bag", t => Ops.EmbeddingBag(t[0], [0, 2, 2, 1], [0, 1], "sum", t[1]), [Param(rng, 3, 4), Param(rng, 4)]),
            ("embedding_bag_max", t => Ops.EmbeddingBag(t[0], [0, 2, 2, 1], [0, 1], "max"), [Distinct(rng, 3, 4)]),
        };
        foreach (var (name, f, inputs) in cases)
        {
            foreach (var t in inputs) t.Grad = null;
            var y = f(inputs);
            var w = Tensor.Uniform(rng, 0.5f, 1.5f, y.Shape);
            y.Backward(w);
            var first = inputs.Select(t => t.Grad!.ToArray()).ToArray();
            f(inputs).Backward(w);
            for (int n = 0; n < inputs.Length; n++)
            {
                var second = inputs[n].Grad!.ToArray();
                Assert.True(first[n].Any(v => v != 0f), $"{name}: input {n} got no gradient");
                for (int i = 0; i < second.Length; i++)
                    Assert.True(Math.Abs(second[i] - 2 * first[n][i]) <= 1e-5f * (1 + Math.Abs(first[n][i])),
                        $"{name}: input {n} element {i}: after two backward passes {second[i]}, expected 2 × {first[n][i]}");
            }
        }
    }

    [Fact]
    public void DropoutGradient()
    {
        var rng = new Generator(20);
        AssertGrad(t => Ops.Dropout(t[0], 0.4f, training: true, new Generator(7)), Param(rng, 5, 6));
    }

    [Fact]
    public void JoinAndIndexGradients()
    {
        var rng = new Generator(21);
        AssertGrad(t => Ops.Concat([t[0], t[1], t[2]], 1), Param(rng, 2, 3, 2), Param(rng, 2, 1, 2), Param(rng, 2, 4, 2));
        AssertGrad(t => Ops.Concat([t[0], t[1]], -1), Param(rng, 2, 3), Param(rng, 2, 2));
        AssertGrad(t => Ops.Stack([t[0], t[1], t[2]], 1), Param(rng, 2, 3), Param(rng, 2, 3), Param(rng, 2, 3));
        AssertGrad(t => Ops.Stack([t[0], t[1]], -1), Param(rng, 2, 3), Param(rng, 2, 3));
        AssertGrad(t => t[0].Gather(1, [0, 2, 2, 1, 3, 3, 0, 0], [2, 4]), Param(rng, 2, 4));
        AssertGrad(t => t[0].Gather(0, [1, 1, 0, 2], [2, 2]), Param(rng, 3, 3));
        AssertGrad(t => t[0].IndexSelect(0, [2, 0, 2, 2]), Param(rng, 3, 4));
        AssertGrad(t => t[0].IndexSelect(2, [1, 1, 0]), Param(rng, 2, 3, 2));
        // The same input used twice: its gradients add up.
        AssertGrad(t => Ops.Concat([t[0], t[0].IndexSelect(0, [1])], 0), Param(rng, 2, 3));
    }

    [Fact]
    public void EmbeddingGradients()
    {
        var rng = new Generator(22);
        AssertGrad(t => Ops.Embedding(t[0], [1, 4, 1, 0, 4, 4], [2, 3]), Param(rng, 5, 3));
        int[] idx = [2, 4, 4, 1, 0, 3], offsets = [0, 3, 3, 5];
        AssertGrad(t => Ops.EmbeddingBag(t[0], idx, offsets, "sum"), Param(rng, 5, 3));
        AssertGrad(t => Ops.EmbeddingBag(t[0], idx, offsets, "mean"), Param(rng, 5, 3));
        AssertGrad(t => Ops.EmbeddingBag(t[0], idx, offsets, "max"), Distinct(rng, 5, 3));
        AssertGrad(t => Ops.EmbeddingBag(t[0], idx, offsets, "sum", t[1]), Param(rng, 5, 3), Tensor.Uniform(rng, 0.5f, 1.5f, 6).RequireGrad());
        AssertGrad(t => Ops.EmbeddingBag(t[0], idx, offsets, "mean", paddingIdx: 4), Param(rng, 5, 3));
    }
}
