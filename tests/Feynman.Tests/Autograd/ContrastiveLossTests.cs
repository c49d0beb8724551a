using Feynman.Autograd;
using Feynman.Tensors;
using Feynman.Tests.Support;

namespace Feynman.Tests.Autograd;

/// <summary>NT-Xent against PyTorch (reference/make_contrastive_fixtures.py) and against finite differences.</summary>
public class ContrastiveLossTests
{
    [Theory]
    [InlineData("n4_d5_tau0.5")]
    [InlineData("n8_d16_tau0.1")]
    [InlineData("n1_d3_tau1")]
    [InlineData("n16_d32_tau0.5")]
    public void NtXentMatchesPyTorch(string name)
    {
        var c = Fixture.Load("ops/nt_xent.json")[name];
        var z = c.Tensor("z", requiresGrad: true);
        var loss = Ops.NtXentLoss(z, c.Float("tau"));
        Assert.Equal(c.Data("loss")[0], loss.Item(), 4);
        loss.Backward();
        AssertClose.Equal(c.Data("grad.z"), z.Grad!.ToArray(), 1e-4, 1e-5, "grad.z");
    }

    [Fact]
    public void NtXentGradientMatchesFiniteDifferences()
    {
        var rng = new Generator(7);
        var z = Tensor.Uniform(rng, -1f, 1f, 6, 4).RequireGrad();
        var r = GradCheck.Run(t => Ops.NtXentLoss(t[0], 0.5f) * 3f, [z]);
        Assert.True(r.MaxError <= 1, r.ToString());
    }

    [Fact]
    public void NtXentIsLowWhenViewsAgreeAndHighWhenTheyDoNot()
    {
        // Views equal to their partner and orthogonal to the others: the positive wins every row.
        var agree = Tensor.From([1f, 0f, 0f, 1f, 1f, 0f, 0f, 1f], 4, 2);
        // Each view's partner points the opposite way: the positive is the least similar.
        var disagree = Tensor.From([1f, 0f, 0f, 1f, -1f, 0f, 0f, -1f], 4, 2);
        float low = Ops.NtXentLoss(agree, 0.5f).Item(), high = Ops.NtXentLoss(disagree, 0.5f).Item();
        Assert.True(low < 0.5f && high > 2.5f, $"agree {low}, disagree {high}");
    }

    [Fact]
    public void NtXentRejectsAnOddNumberOfViews()
    {
        Assert.Throws<ArgumentException>(() => Ops.NtXentLoss(Tensor.Zeros([3, 2]), 0.5f));
        Assert.Throws<ArgumentException>(() => Ops.NtXentLoss(Tensor.Zeros([4, 2]), 0f));
    }
}
