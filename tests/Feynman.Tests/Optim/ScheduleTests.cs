using Feynman.Optim;
using Feynman.Tensors;
using Feynman.Tests.Support;

namespace Feynman.Tests.Optim;

/// <summary>Learning-rate schedules against PyTorch's values (reference/make_optim_fixtures.py).</summary>
public class ScheduleTests
{
    private static readonly Fixture Fixtures = Fixture.Load("optim/schedules.json");

    private static Sgd NewOptimizer(double lr) => new([TensorScope.Outside(() => Tensor.Zeros(1)).RequireGrad()], lr);

    [Theory]
    [InlineData("step_lr")]
    [InlineData("cosine")]
    [InlineData("warmup_cosine")]
    public void MatchesPyTorch(string name)
    {
        var c = Fixtures[name];
        var expected = c.Params.GetProperty("lrs").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        double F(string p) => c.Params.GetProperty(p).GetDouble();
        var opt = NewOptimizer(F("base_lr"));
        LrScheduler scheduler = c.Params.GetProperty("kind").GetString() switch
        {
            "step" => new StepLR(opt, c.Int("step_size"), F("gamma")),
            "cosine" => new CosineAnnealingLR(opt, c.Int("t_max"), F("eta_min")),
            _ => new LinearWarmup(new CosineAnnealingLR(opt, c.Int("t_max"), F("eta_min")), c.Int("warmup"), F("start_factor")),
        };
        var actual = new List<double> { opt.LearningRate };
        for (int i = 1; i < expected.Length; i++)
        {
            scheduler.Step();
            actual.Add(opt.LearningRate);
        }
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12 + 1e-9 * expected[i], $"{name} step {i}: {actual[i]}, PyTorch {expected[i]}");
        // The closed form agrees with stepping, and setting the epoch (resume) applies it.
        scheduler.LastEpoch = 5;
        Assert.Equal(expected[5], opt.LearningRate, 12);
    }
}
