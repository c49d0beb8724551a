using Feynman.Autograd;
using Feynman.Nn;
using Feynman.Optim;
using Feynman.Tensors;
using Feynman.Tests.Support;

namespace Feynman.Tests.Optim;

/// <summary>Three training steps of an MLP against PyTorch (reference/make_optim_fixtures.py): loss, every gradient, every parameter.</summary>
public class OptimizerFixtureTests
{
    private static readonly Fixture Fixtures = Fixture.Load("optim/optimizers.json");

    internal static Sequential LoadMlp(FixtureCase c)
    {
        var model = new Sequential(new Linear(20, 16, rng: new Generator(0)), new ReLU(), new Linear(16, 5, rng: new Generator(0)));
        var state = model.StateDict().Keys.ToDictionary(k => k, k => c.Tensor($"init.{k}"));
        model.LoadStateDict(state);
        return model;
    }

    internal static Tensor Loss(Tensor output, Tensor y, string kind)
    {
        if (kind == "sum") return Ops.Sum(output);
        var d = output - y;
        return Ops.Mean(d * d);
    }

    private static Optimizer Make(FixtureCase c, IEnumerable<Tensor> parameters)
    {
        string kind = c.Params.GetProperty("kind").GetString()!;
        double F(string name) => c.Params.GetProperty(name).GetDouble();
        return kind switch
        {
            "sgd" => new Sgd(parameters, F("lr"), F("momentum"), F("dampening"), F("weight_decay"), c.Params.GetProperty("nesterov").GetBoolean()),
            "adam" => new Adam(parameters, F("lr"), F("beta1"), F("beta2"), F("eps"), F("weight_decay"), AmsGrad(c)),
            "adamw" => new AdamW(parameters, F("lr"), F("beta1"), F("beta2"), F("eps"), F("weight_decay"), AmsGrad(c)),
            _ => throw new InvalidOperationException(kind),
        };
    }

    private static bool AmsGrad(FixtureCase c) => c.Params.TryGetProperty("amsgrad", out var a) && a.GetBoolean();

    [Theory]
    [InlineData("sgd_momentum")]
    [InlineData("sgd_nesterov")]
    [InlineData("sgd_dampening")]
    [InlineData("adam")]
    [InlineData("adamw")]
    [InlineData("adam_amsgrad")]
    [InlineData("adamw_amsgrad")]
    public void MatchesPyTorchForThreeSteps(string name)
    {
        var c = Fixtures[name];
        using var model = LoadMlp(c);
        var optimizer = Make(c, model.Parameters());
        var x = c.Tensor("x");
        var y = c.Tensor("y");
        string loss = c.Params.GetProperty("loss").GetString()!;
        for (int step = 0; step < 3; step++)
        {
            optimizer.ZeroGrad();
            using (TensorScope.Begin())
            {
                var l = Loss(model.Call(x), y, loss);
                AssertClose.Equal(c.Data($"step{step}.loss"), l, what: $"{name} step {step} loss");
                l.Backward();
            }
            foreach (var (pn, p) in model.NamedParameters())
                AssertClose.Equal(c.Data($"step{step}.grad.{pn}"), p.Grad!, what: $"{name} step {step} grad {pn}");
            optimizer.Step();
            foreach (var (pn, p) in model.NamedParameters())
                AssertClose.Equal(c.Data($"step{step}.param.{pn}"), p, what: $"{name} step {step} param {pn}");
        }
    }

    [Theory]
    [InlineData("clip_grad_norm_0.05", true)]
    [InlineData("clip_grad_norm_100", false)]
    public void ClipGradNormMatchesPyTorch(string name, bool clips)
    {
        var c = Fixtures[name];
        using var model = LoadMlp(c);
        using (TensorScope.Begin()) Loss(model.Call(c.Tensor("x")), c.Tensor("y"), "mse").Backward();
        var before = model.Parameters().Select(p => p.Grad!.ToArray()).ToList();
        double total = GradientClipping.ClipGradNorm(model.Parameters(), c.Float("max_norm"));
        Assert.Equal(c.Data("total_norm")[0], total, 1e-4 * total);
        Assert.Equal(clips, total > c.Float("max_norm"));
        int i = 0;
        foreach (var (pn, p) in model.NamedParameters())
        {
            AssertClose.Equal(c.Data($"clipped.{pn}"), p.Grad!, what: $"clipped grad {pn}");
            if (!clips) Assert.Equal(before[i], p.Grad!.ToArray());
            i++;
        }
    }
}
