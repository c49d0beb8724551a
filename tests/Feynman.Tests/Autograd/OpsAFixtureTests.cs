using Feynman.Autograd;
using Feynman.Tensors;
using Feynman.Tests.Support;

namespace Feynman.Tests.Autograd;

/// <summary>
/// Forward outputs and input gradients against PyTorch 1.13 (reference/make_op_fixtures_a.py): for each case
/// the op runs on the stored inputs, then backward of sum(out·w) with the stored w.
/// </summary>
public class OpsAFixtureTests
{
    private static readonly Lazy<Fixture> Data = new(() => Fixture.Load("ops_a.json"));

    // Tensor names a case may hold as inputs; constants (class weights, pos_weight) have no "grad." entry.
    private static readonly string[] InputNames = ["x", "x0", "x1", "x2", "target", "teacher", "weight", "psw", "class_weights", "pos_weight"];

    public static IEnumerable<object[]> CaseNames => Fixture.Load("ops_a.json").Cases.Select(c => new object[] { c.Name });

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void MatchesPyTorch(string name)
    {
        var c = Data.Value[name];
        var inputs = InputNames.Where(c.Has).ToDictionary(n => n, n => c.Tensor(n, requiresGrad: c.Has("grad." + n)));
        var output = Run(c, inputs);
        Assert.Equal(c.Shape("out"), output.Shape.ToArray());
        AssertClose.Equal(c.Data("out"), output, rtol: 1e-4, atol: 1e-5, what: $"{name} forward");
        output.Backward(c.Tensor("w"));
        int checkedGradients = 0;
        foreach (var (n, t) in inputs)
        {
            if (!c.Has("grad." + n)) continue;
            Assert.NotNull(t.Grad);
            AssertClose.Equal(c.Data("grad." + n), t.Grad!, rtol: 1e-4, atol: 1e-5, what: $"{name} gradient of {n}");
            checkedGradients++;
        }
        Assert.True(checkedGradients > 0, $"{name}: the fixture has no gradient to compare.");
    }

    private static Tensor? Optional(Dictionary<string, Tensor> inputs, string name) => inputs.TryGetValue(name, out var t) ? t : null;

    private static float? OptionalFloat(FixtureCase c, string name) =>
        c.Params.TryGetProperty(name, out var v) ? (float)v.GetDouble() : null;

    private static Tensor Run(FixtureCase c, Dictionary<string, Tensor> t)
    {
        string name = c.Name;
        Tensor X() => t["x"];
        Tensor[] Xs() => new[] { "x0", "x1", "x2" }.Where(t.ContainsKey).Select(n => t[n]).ToArray();
        bool Keep() => c.Params.GetProperty("keepdim").GetBoolean();
        string Mode() => c.Params.GetProperty("mode").GetString()!;
        Reduction Reduce() => c.Params.TryGetProperty("reduction", out var r)
            ? r.GetString() switch { "none" => Reduction.None, "sum" => Reduction.Sum, var other => throw new InvalidOperationException($"reduction '{other}'") }
            : Reduction.Mean;

        if (name.StartsWith("pow_")) return Ops.Pow(X(), c.Float("exponent"));
        if (name.StartsWith("clamp")) return Ops.Clamp(X(), OptionalFloat(c, "min"), OptionalFloat(c, "max"));
        if (name.StartsWith("sum_dim")) return Ops.Sum(X(), c.Int("dim"), Keep());
        if (name.StartsWith("mean_dim")) return Ops.Mean(X(), c.Int("dim"), Keep());
        if (name.StartsWith("var_dim")) return Ops.Var(X(), c.Int("dim"), keepDim: Keep());
        if (name.StartsWith("max_"))
        {
            var values = Ops.Max(X(), c.Int("dim"), false, out var indices);
            Assert.Equal(c.Ints("indices"), indices);
            Assert.Equal(c.Ints("indices"), Ops.ArgMax(X(), c.Int("dim")));
            return values;
        }
        if (name.StartsWith("softmax_")) return Ops.Softmax(X(), c.Int("dim"));
        if (name.StartsWith("log_softmax_")) return Ops.LogSoftmax(X(), c.Int("dim"));
        if (name.StartsWith("ce_soft"))
            return Ops.CrossEntropy(X(), t["target"], Optional(t, "class_weights"), c.Float("label_smoothing"), Reduce());
        if (name.StartsWith("ce_"))
            return Ops.CrossEntropy(X(), c.Ints("targets"), Optional(t, "class_weights"), c.Int("ignore_index"), c.Float("label_smoothing"), Reduce());
        if (name.StartsWith("kl_")) return Ops.KlDivLogits(X(), t["teacher"], c.Float("temperature"), Reduce());
        if (name.StartsWith("bce")) return Ops.BinaryCrossEntropyWithLogits(X(), t["target"], Optional(t, "pos_weight"), Reduce());
        if (name.StartsWith("mse")) return Ops.MseLoss(X(), t["target"], Reduce());
        if (name.StartsWith("concat_")) return Ops.Concat(Xs(), c.Int("dim"));
        if (name.StartsWith("stack_")) return Ops.Stack(Xs(), c.Int("dim"));
        if (name.StartsWith("gather_")) return Ops.Gather(X(), c.Int("dim"), c.Ints("index"), c.Ints("index_shape"));
        if (name.StartsWith("index_select_")) return Ops.IndexSelect(X(), c.Int("dim"), c.Ints("indices"));
        if (name.StartsWith("embedding_bag_"))
            return Ops.EmbeddingBag(t["weight"], c.Ints("indices"), c.Ints("offsets"), Mode(), Optional(t, "psw"));
        if (name.StartsWith("embedding"))
            return Ops.Embedding(t["weight"], c.Ints("indices"), c.Ints("indices_shape"),
                                 c.Params.TryGetProperty("padding_idx", out var p) ? p.GetInt32() : null);
        return name switch
        {
            "exp" => X().Exp(),
            "log" => X().Log(),
            "sqrt" => X().Sqrt(),
            "abs" => X().Abs(),
            "tanh" => X().Tanh(),
            "sigmoid" => X().Sigmoid(),
            "gelu" => X().Gelu(),
            "gelu_tanh" => X().Gelu(approximateTanh: true),
            _ => throw new InvalidOperationException($"fixture case '{name}' has no runner in {nameof(OpsAFixtureTests)}."),
        };
    }
}
