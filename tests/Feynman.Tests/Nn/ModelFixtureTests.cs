using Feynman.Autograd;
using Feynman.Nn;
using Feynman.Optim;
using Feynman.Tensors;
using Feynman.Tests.Support;
using Xunit.Abstractions;

namespace Feynman.Tests.Nn;

/// <summary>
/// Three SGD (momentum) steps of whole models against PyTorch (reference/make_model_fixtures.py): the
/// loss, every gradient, every parameter and buffer after each step, and the eval-mode output after training.
/// </summary>
public class ModelFixtureTests(ITestOutputHelper output)
{
    private const double Rtol = 1e-4;

    internal static Module Build(string name) => name switch
    {
        "mlp" => new Sequential(new Linear(784, 16), new ReLU(), new Linear(16, 10)),
        "cnn" => new Sequential(new Conv2d(1, 4, 3, padding: 1), new ReLU(), new MaxPool2d(2),
                                new Conv2d(4, 8, 3, padding: 1), new ReLU(), new MaxPool2d(2),
                                new Flatten(), new Linear(392, 16), new ReLU(), new Linear(16, 10)),
        "cnn_bn" => new Sequential(new Conv2d(1, 4, 3, padding: 1, bias: false), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),
                                   new Conv2d(4, 8, 3, padding: 1, bias: false), new BatchNorm2d(8), new ReLU(), new Dropout(0.0),
                                   new AvgPool2d(2), new Flatten(), new Linear(392, 16, bias: false), new BatchNorm1d(16), new Tanh(),
                                   new Dropout(0.0), new Linear(16, 10)),
        "transformer" => new TransformerEncoderLayer(16, 2, 32, dropout: 0),
        "transformer_prenorm_gelu_causal" => new TransformerEncoderLayer(16, 2, 32, dropout: 0, activation: "gelu", normFirst: true) { IsCausal = true },
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [InlineData("mlp")]
    [InlineData("cnn")]
    [InlineData("cnn_bn")]
    [InlineData("transformer")]
    [InlineData("transformer_prenorm_gelu_causal")]
    public void ThreeSgdStepsMatchPyTorch(string name)
    {
        var c = Fixture.Load($"models/{name}.json")[name];
        using var model = Build(name);
        var keys = model.StateDict().Keys.ToList();
        Assert.Equal(3, c.Params.GetProperty("steps").GetInt32());
        // Every key of our state dict must exist in the fixture (LoadStateDict is strict, so names must be PyTorch's).
        model.LoadStateDict(keys.ToDictionary(k => k, k => c.Tensor($"init.{k}")));
        var optimizer = new Sgd(model.Parameters(), c.Float("lr"), c.Float("momentum"));
        var x = c.Tensor("x");
        bool ce = c.Params.GetProperty("loss").GetString() == "ce";
        int[] labels = ce ? c.Data("labels").Select(v => (int)v).ToArray() : [];
        var y = ce ? null : c.Tensor("y");
        var worst = new Worst();
        for (int step = 0; step < 3; step++)
        {
            optimizer.ZeroGrad();
            using (TensorScope.Begin())
            {
                var outp = model.Call(x);
                var loss = ce ? Ops.CrossEntropy(outp, labels) : Ops.MseLoss(outp, y!);
                worst.Check(c.Data($"step{step}.loss"), loss, $"{name} step {step} loss");
                loss.Backward();
            }
            foreach (var (pn, p) in model.NamedParameters())
                worst.Check(c.Data($"step{step}.grad.{pn}"), p.Grad!, $"{name} step {step} grad {pn}");
            optimizer.Step();
            foreach (var (pn, p) in model.NamedParameters())
                worst.Check(c.Data($"step{step}.param.{pn}"), p, $"{name} step {step} param {pn}");
            foreach (var (bn, b) in model.NamedBuffers())
                worst.Check(c.Data($"step{step}.buffer.{bn}"), b, $"{name} step {step} buffer {bn}");
        }
        model.Eval();
        using (GradMode.NoGrad())
        using (TensorScope.Begin())
            worst.Check(c.Data("eval_out"), model.Call(x), $"{name} eval output");
        output.WriteLine($"{name}: {worst.Count} tensors, max relative error {worst.MaxRelative:E2} ({worst.Where})");
    }

    /// <summary>
    /// Compares like torch.allclose with rtol 1e-4 and an atol of 1e-5 of the tensor's largest magnitude
    /// (so values that cancel to near zero are judged against the tensor's scale), and keeps the largest
    /// relative error |a − e| / |e| over elements of at least 1% of that magnitude.
    /// </summary>
    private sealed class Worst
    {
        public double MaxRelative { get; private set; }

        public string Where { get; private set; } = "";

        public int Count { get; private set; }

        public void Check(float[] expected, Tensor actual, string what)
        {
            Assert.Equal(expected.Length, actual.Count);
            double scale = expected.Length == 0 ? 0 : expected.Max(v => Math.Abs((double)v));
            double atol = 1e-5 * scale + 1e-7;
            var a = actual.ToArray();
            AssertClose.Equal(expected, a, Rtol, atol, what);
            for (int i = 0; i < a.Length; i++)
            {
                if (Math.Abs(expected[i]) < 0.01 * scale) continue;
                double rel = Math.Abs((double)a[i] - expected[i]) / Math.Abs(expected[i]);
                if (rel > MaxRelative) { MaxRelative = rel; Where = what; }
            }
            Count++;
        }
    }
}
