using System.Diagnostics;
using System.Text.Json;
using Feynman.Autograd;
using Feynman.Nn;
using Feynman.Optim;
using Feynman.Serialization;
using Feynman.Tensors;
using Feynman.Tests.Serialization;
using Feynman.Tests.Support;

namespace Feynman.Tests.Nn;

/// <summary>
/// Weights exchange with PyTorch both ways through safetensors: files written by PyTorch
/// (reference/make_exchange_fixtures.py) load into the same Feynman Sequential and give PyTorch's outputs,
/// and files written by Feynman load into the same torch nn.Sequential (reference/check_feynman_weights.py).
/// </summary>
public sealed class WeightExchangeTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("feynman-exchange-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>The Feynman twins of make_exchange_fixtures.MODELS.</summary>
    private static Module Build(string name, Generator rng) => name switch
    {
        "cnn_bn" => new Sequential(new Conv2d(1, 4, 3, padding: 1, bias: false, rng: rng), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),
                                   new Conv2d(4, 8, 3, padding: 1, bias: false, rng: rng), new BatchNorm2d(8), new ReLU(), new Dropout(0.0),
                                   new AvgPool2d(2), new Flatten(), new Linear(392, 16, bias: false, rng: rng), new BatchNorm1d(16), new Tanh(),
                                   new Dropout(0.0), new Linear(16, 10, rng: rng)),
        "seq_transformer" => new Sequential(new TransformerEncoderLayer(16, 2, 32, dropout: 0, activation: "gelu", rng: rng),
                                            new LayerNorm(16), new Linear(16, 4, rng: rng)),
        "mlp_small" => new Sequential(new Flatten(), new Linear(64, 32, rng: rng), new ReLU(), new Linear(32, 16, rng: rng), new Tanh(),
                                      new Linear(16, 10, rng: rng), new LogSoftmax(1)),
        _ => throw new ArgumentException(name),
    };

    private static int[] InputShape(string name) => name switch
    {
        "cnn_bn" => [3, 1, 28, 28],
        "seq_transformer" => [2, 6, 16],
        _ => [5, 1, 8, 8],
    };

    private static string ExchangePath(string file) => Path.Combine(AppContext.BaseDirectory, "fixtures", "exchange", file);

    [Theory]
    [InlineData("cnn_bn")]
    [InlineData("seq_transformer")]
    [InlineData("mlp_small")]
    public void LoadsWeightsWrittenByPyTorch(string name)
    {
        using var model = Build(name, new Generator(1));
        var metadata = model.Load(ExchangePath($"{name}.safetensors"));
        Assert.Equal("pytorch", metadata["source"]);
        var io = Safetensors.Load(ExchangePath($"{name}_io.safetensors"));
        model.Eval();
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        var output = model.Call(io["x"]);
        Assert.Equal(io["out"].Shape.ToArray(), output.Shape.ToArray());
        AssertClose.Equal(io["out"].ToArray(), output, rtol: 1e-4, atol: 1e-5, what: $"{name} output");
        // PyTorch's int64 step counters arrive as floats with their values.
        foreach (var (key, buffer) in model.StateDict().Where(kv => kv.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal)))
            Assert.True(buffer.Item() == 2f, $"{key} is {buffer.Item()}, expected 2 (two training steps in PyTorch).");
    }

    /// <summary>Trains two steps (moving batch-norm statistics), then returns the eval-mode output on x.</summary>
    private static (Module Model, Tensor X, Tensor Out) Trained(string name)
    {
        var rng = new Generator(42);
        var model = Build(name, rng);
        var x = TensorScope.Outside(() => Tensor.Randn(rng, InputShape(name)));
        var optimizer = new Sgd(model.Parameters(), 0.05);
        for (int step = 0; step < 2; step++)
        {
            optimizer.ZeroGrad();
            using (TensorScope.Begin())
            {
                var y = model.Call(x);
                Ops.Mean(y * y).Backward();
            }
            optimizer.Step();
        }
        model.Eval();
        Tensor output;
        using (GradMode.NoGrad()) output = TensorScope.Outside(() => model.Call(x).Detach());
        return (model, x, output);
    }

    [Theory]
    [InlineData("cnn_bn")]
    [InlineData("seq_transformer")]
    public void SavedWeightsReloadIntoAFreshModel(string name)
    {
        var (model, x, expected) = Trained(name);
        using (model)
        {
            var path = Path.Combine(dir, $"{name}.safetensors");
            model.Save(path);
            using var fresh = Build(name, new Generator(7));
            fresh.Load(path);
            fresh.Eval();
            using var _ = GradMode.NoGrad();
            using var scope = TensorScope.Begin();
            Assert.Equal(expected.ToArray(), fresh.Call(x).ToArray());
        }
    }

    [RequiresTorchTheory]
    [InlineData("cnn_bn")]
    [InlineData("seq_transformer")]
    [InlineData("mlp_small")]
    public void PyTorchLoadsWeightsWrittenByFeynman(string name)
    {
        var (model, x, output) = Trained(name);
        using (model)
        {
            var weights = Path.Combine(dir, $"{name}.safetensors");
            var io = Path.Combine(dir, $"{name}_io.safetensors");
            model.Save(weights);
            Safetensors.Save(io, new Dictionary<string, Tensor> { ["x"] = x, ["out"] = output });
            var script = Path.Combine(RequiresTorchFactAttribute.ReferenceFolder(), "check_feynman_weights.py");
            var psi = new ProcessStartInfo(RequiresTorchFactAttribute.Python, [script, name, weights, io])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Path.GetDirectoryName(script)!,
            };
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"PyTorch could not load the Feynman weights: {stderr}");
            using var doc = JsonDocument.Parse(stdout.Result);
            var root = doc.RootElement;
            Assert.Equal(model.StateDict().Count, root.GetProperty("keys").GetInt32());
            double diff = root.GetProperty("max_abs_diff").GetDouble(), scale = root.GetProperty("max_abs_out").GetDouble();
            Assert.True(scale > 0.01, $"{name}: PyTorch's output is all near zero ({scale}), the comparison would prove nothing.");
            Assert.True(diff <= 1e-5 + 1e-4 * scale, $"{name}: PyTorch's output differs from Feynman's by up to {diff} (largest output {scale}).");
        }
    }
}
