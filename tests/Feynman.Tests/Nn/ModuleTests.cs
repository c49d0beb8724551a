using Feynman.Autograd;
using Feynman.Nn;
using Feynman.Tensors;

namespace Feynman.Tests.Nn;

public class ModuleTests
{
    /// <summary>A module with its own parameter, a buffer and a nested Sequential, to check PyTorch's naming and order.</summary>
    private sealed class Net : Module
    {
        public Net(Generator rng)
        {
            Scale = RegisterParameter("scale", TensorScope.Outside(() => Tensor.Ones(5)));
            RegisterBuffer("running_mean", TensorScope.Outside(() => Tensor.Zeros(5)));
            RegisterBuffer("scratch", TensorScope.Outside(() => Tensor.Zeros(2)), persistent: false);
            Features = RegisterModule("features", new Sequential(new Linear(4, 6, rng: rng), new ReLU(), new Linear(6, 5, bias: false, rng: rng)));
            Head = RegisterModule("head", new Linear(5, 3, rng: rng));
        }

        public Tensor Scale { get; }

        public Sequential Features { get; }

        public Linear Head { get; }

        public override Tensor Forward(Tensor x) => Head.Call(Features.Call(x) * Scale);
    }

    [Fact]
    public void StateDictUsesPyTorchNamesAndOrder()
    {
        using var net = new Net(new Generator(1));
        Assert.Equal(["scale", "running_mean", "features.0.weight", "features.0.bias", "features.2.weight", "head.weight", "head.bias"],
                     net.StateDict().Keys.ToArray());
        Assert.Equal(["scale", "features.0.weight", "features.0.bias", "features.2.weight", "head.weight", "head.bias"],
                     net.NamedParameters().Select(p => p.Name).ToArray());
        Assert.Equal(["running_mean", "scratch"], net.NamedBuffers().Select(b => b.Name).ToArray());
        Assert.Equal(5 + 4 * 6 + 6 + 6 * 5 + 5 * 3 + 3, net.ParameterCount);
        Assert.All(net.Parameters(), p => Assert.True(p.RequiresGrad));
    }

    [Fact]
    public void ReprMatchesPyTorch()
    {
        var model = new Sequential(new Flatten(), new Linear(20, 16, rng: new Generator(1)), new ReLU(), new Linear(16, 5, bias: false, rng: new Generator(2)), new Identity());
        // Exactly what PyTorch 1.13 prints for the same nn.Sequential.
        const string expected = """
            Sequential(
              (0): Flatten(start_dim=1, end_dim=-1)
              (1): Linear(in_features=20, out_features=16, bias=True)
              (2): ReLU()
              (3): Linear(in_features=16, out_features=5, bias=False)
              (4): Identity()
            )
            """;
        Assert.Equal(expected.ReplaceLineEndings("\n"), model.ToString());
        using var net = new Net(new Generator(1));
        Assert.Contains("\n  (features): Sequential(\n    (0): Linear(in_features=4, out_features=6, bias=True)\n", net.ToString());
    }

    [Fact]
    public void LoadStateDictCopiesInPlace()
    {
        using var a = new Net(new Generator(1));
        using var b = new Net(new Generator(2));
        var weightBefore = b.Head.Weight;
        Assert.NotEqual(a.Head.Weight.ToArray(), b.Head.Weight.ToArray());
        var result = b.LoadStateDict(a.StateDict());
        Assert.Empty(result.MissingKeys);
        Assert.Empty(result.UnexpectedKeys);
        Assert.Same(weightBefore, b.Head.Weight);
        foreach (var (name, t) in a.StateDict()) Assert.Equal(t.ToArray(), b.StateDict()[name].ToArray());
    }

    [Fact]
    public void LoadStateDictListsEveryProblem()
    {
        using var net = new Net(new Generator(1));
        var state = new Dictionary<string, Tensor>(net.StateDict());
        state.Remove("head.bias");
        state.Remove("features.0.bias");
        state["features.9.weight"] = Tensor.Zeros(2);
        state["head.weight"] = Tensor.Zeros(3, 4);
        var before = net.Scale.ToArray();
        state["scale"] = Tensor.Full(7f, 5);
        var ex = Assert.Throws<StateDictMismatchException>(() => net.LoadStateDict(state));
        Assert.Equal(["features.0.bias", "head.bias"], ex.MissingKeys);
        Assert.Equal(["features.9.weight"], ex.UnexpectedKeys);
        Assert.Single(ex.ShapeMismatches);
        Assert.Contains("head.weight: checkpoint has shape [3, 4], the model has [3, 5]", ex.Message);
        Assert.Contains("Missing key(s): \"features.0.bias\", \"head.bias\"", ex.Message);
        Assert.Contains("Unexpected key(s): \"features.9.weight\"", ex.Message);
        // Nothing is copied when the load fails.
        Assert.Equal(before, net.Scale.ToArray());

        // Non-strict: missing and unexpected keys are returned, a shape mismatch is still an error.
        state["head.weight"] = Tensor.Zeros(3, 5);
        var result = net.LoadStateDict(state, strict: false);
        Assert.Equal(["features.0.bias", "head.bias"], result.MissingKeys);
        Assert.Equal(["features.9.weight"], result.UnexpectedKeys);
        Assert.All(net.Scale.ToArray(), v => Assert.Equal(7f, v));
        Assert.All(net.Head.Weight.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void TrainAndEvalReachEveryDescendant()
    {
        using var net = new Net(new Generator(1));
        Assert.All(net.Modules(), m => Assert.True(m.IsTraining));
        net.Eval();
        Assert.Equal(6, net.Modules().Count());
        Assert.All(net.Modules(), m => Assert.False(m.IsTraining));
        net.Features.Train();
        Assert.False(net.IsTraining);
        Assert.True(net.Features[0].IsTraining);
        net.Train();
        Assert.All(net.Modules(), m => Assert.True(m.IsTraining));
    }

    [Fact]
    public void ZeroGradDropsGradientsAndBackwardBringsThemBack()
    {
        using var net = new Net(new Generator(3));
        var x = Tensor.Randn(new Generator(4), 2, 4);
        net.Call(x).Sum().Backward();
        var first = net.Parameters().Select(p => p.Grad!.ToArray()).ToList();
        net.ZeroGrad();
        Assert.All(net.Parameters(), p => Assert.Null(p.Grad));
        net.Call(x).Sum().Backward();
        // A fresh gradient, not accumulated onto the old one.
        var second = net.Parameters().Select(p => p.Grad!.ToArray()).ToList();
        for (int i = 0; i < first.Count; i++) Assert.Equal(first[i], second[i]);
        net.Call(x).Sum().Backward();
        var doubled = net.Parameters().First().Grad!.ToArray();
        Support.AssertClose.Equal(first[0].Select(v => 2 * v).ToArray(), doubled, what: "accumulated gradient");
    }

    [Fact]
    public void RegistrationRejectsBadNames()
    {
        Assert.Throws<ArgumentException>(() => new BadModule("a.b"));
        Assert.Throws<ArgumentException>(() => new BadModule(""));
        Assert.Throws<ArgumentException>(() => new BadModule("twice"));
    }

    private sealed class BadModule : Module
    {
        public BadModule(string name)
        {
            RegisterParameter(name, TensorScope.Outside(() => Tensor.Zeros(1)));
            if (name == "twice") RegisterBuffer("twice", TensorScope.Outside(() => Tensor.Zeros(1)));
        }

        public override Tensor Forward(Tensor x) => x;
    }

    [Fact]
    public void ParametersSurviveScopesAndSequentialRunsInOrder()
    {
        Sequential model;
        using (TensorScope.Begin())
            model = new Sequential(new Linear(3, 4, rng: new Generator(5)), new ReLU(), new Flatten(0));
        var w = ((Linear)model[0]).Weight;
        Assert.False(w.IsDisposed);
        using (TensorScope.Begin())
        {
            var x = Tensor.Randn(new Generator(6), 2, 3);
            var y = model.Call(x);
            var expected = Ops.Relu(Ops.Linear(x, w, ((Linear)model[0]).Bias));
            Assert.Equal([8], y.Shape.ToArray());
            Assert.Equal(expected.ToArray(), y.ToArray());
        }
        Assert.Equal(3, model.Count);
        Assert.IsType<Flatten>(model[-1]);
    }

    [Fact]
    public void RequireGradFreezesParameters()
    {
        using var net = new Net(new Generator(1));
        net.Features.RequireGrad(false);
        net.Call(Tensor.Randn(new Generator(2), 2, 4)).Sum().Backward();
        Assert.All(net.Features.Parameters(), p => Assert.Null(p.Grad));
        Assert.NotNull(net.Head.Weight.Grad);
    }

    [Fact]
    public void SubmodulesAndParametersByPath()
    {
        using var net = new Net(new Generator(1));
        Assert.Same(net.Features[2], net.GetSubmodule("features.2"));
        Assert.Same(net.Head.Weight, net.GetParameter("head.weight"));
        Assert.Same(net.Scale, net.GetParameter("scale"));
        var ex = Assert.Throws<KeyNotFoundException>(() => net.GetSubmodule("features.7"));
        Assert.Contains("children: 0, 1, 2", ex.Message);
        Assert.Throws<KeyNotFoundException>(() => net.GetParameter("features.2.bias"));
        var visited = new List<string>();
        net.Apply(m => visited.Add(m.GetType().Name));
        Assert.Equal(["Linear", "ReLU", "Linear", "Sequential", "Linear", "Net"], visited);
    }

    /// <summary>A layer whose repr shows floats the way Python prints them (BatchNorm2d(64, eps=1e-05, momentum=0.1, ...)).</summary>
    private sealed class FloatRepr(double[] values) : Module
    {
        public override Tensor Forward(Tensor x) => x;

        protected override string ExtraRepr() => string.Join(", ", values.Select(v => Py(v)));
    }

    [Fact]
    public void ReprFormatsFloatsAsPython()
    {
        Assert.Equal("FloatRepr(1e-05, 0.1, 1.0, 0.0001, 1e+20, -2.5, 3e-08, 100.0)",
                     new FloatRepr([1e-5, 0.1, 1.0, 1e-4, 1e20, -2.5, 3e-8, 100]).ToString());
    }

    [Fact]
    public void ModuleListRegistersItsItems()
    {
        var rng = new Generator(9);
        var list = new ModuleList(new Linear(3, 2, rng: rng), new Linear(3, 2, bias: false, rng: rng));
        Assert.Equal(["0.weight", "0.bias", "1.weight"], list.StateDict().Keys.ToArray());
        Assert.Equal(2, list.Count);
        Assert.Same(list[1], list.GetSubmodule("1"));
        Assert.Throws<NotSupportedException>(() => list.Call(Tensor.Zeros(1, 3)));
        Assert.Equal("ModuleList(\n  (0): Linear(in_features=3, out_features=2, bias=True)\n  (1): Linear(in_features=3, out_features=2, bias=False)\n)", list.ToString());
    }
}
