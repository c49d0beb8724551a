using Feynman.Nn;
using Feynman.Optim;
using Feynman.Serialization;
using Feynman.Tensors;

namespace Feynman.Tests.Serialization;

public sealed class CheckpointTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("feynman-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private sealed record Run(Sequential Model, Optimizer Optimizer, Generator Rng, LrScheduler Scheduler);

    private static Run NewRun(string kind, ulong seed)
    {
        var init = new Generator(seed);
        var model = new Sequential(new Linear(6, 8, rng: init), new ReLU(), new Linear(8, 3, rng: init));
        Optimizer opt = kind switch
        {
            "sgd" => new Sgd(model.Parameters(), lr: 0.1, momentum: 0.9, weightDecay: 1e-4, nesterov: true),
            "adam" => new Adam(model.Parameters(), lr: 0.01, beta2: 0.5, weightDecay: 1e-3, amsgrad: true),
            _ => new AdamW([new ParamGroup(model.Parameters().Take(2)), new ParamGroup(model.Parameters().Skip(2), learningRate: 0.003, weightDecay: 0)], lr: 0.01),
        };
        var scheduler = new LinearWarmup(new StepLR(opt, stepSize: 2, gamma: 0.5), warmupSteps: 2, startFactor: 0.5);
        return new Run(model, opt, new Generator(seed + 100), scheduler);
    }

    /// <summary>Each step draws a fresh batch from the run's generator, so the generator's state matters.</summary>
    private static void Train(Run run, int steps)
    {
        for (int s = 0; s < steps; s++)
        {
            run.Optimizer.ZeroGrad();
            using (TensorScope.Begin())
            {
                var x = Tensor.Randn(run.Rng, 4, 6);
                var y = Tensor.Randn(run.Rng, 4, 3);
                var d = run.Model.Call(x) - y;
                (d * d).Mean().Backward();
            }
            run.Optimizer.Step();
            run.Scheduler.Step();
        }
    }

    private static float[][] Snapshot(Module m) => m.Parameters().Select(p => p.ToArray()).ToArray();

    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    [InlineData("adamw")]
    public void ResumedRunContinuesBitIdentically(string kind)
    {
        var path = Path.Combine(dir, $"{kind}.ckpt.safetensors");
        var original = NewRun(kind, 1);
        Train(original, 3);
        Checkpoint.Save(path, original.Model, original.Optimizer, original.Rng, new Dictionary<string, string> { ["epoch"] = "0", ["step"] = "3" }, original.Scheduler);
        Train(original, 3);
        var expected = Snapshot(original.Model);

        var resumed = NewRun(kind, 2); // different weights, generator and no optimizer state
        var meta = Checkpoint.Load(path, resumed.Model, resumed.Optimizer, resumed.Rng, resumed.Scheduler);
        Assert.Equal("3", meta["step"]);
        Assert.Equal("0", meta["epoch"]);
        Assert.Equal(2, meta.Count);
        Assert.Equal(3, resumed.Scheduler.LastEpoch);
        Train(resumed, 3);
        var actual = Snapshot(resumed.Model);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i]);
        Assert.Equal(original.Optimizer.ParamGroups.Select(g => g.LearningRate), resumed.Optimizer.ParamGroups.Select(g => g.LearningRate));

        // Without the optimizer state the continuation differs: the test can tell.
        var partial = NewRun(kind, 2);
        Checkpoint.Load(path, partial.Model, rng: partial.Rng, scheduler: partial.Scheduler);
        Train(partial, 3);
        Assert.NotEqual(expected[0], Snapshot(partial.Model)[0]);
    }

    [Fact]
    public void FileNamesOptimizerStateByParameter()
    {
        var path = Path.Combine(dir, "names.safetensors");
        var run = NewRun("adam", 3);
        Train(run, 1);
        Checkpoint.Save(path, run.Model, run.Optimizer, run.Rng);
        var file = Safetensors.Read(path);
        Assert.Contains("model.0.weight", file.Tensors.Keys);
        Assert.Contains("optimizer.state.2.bias.exp_avg_sq", file.Tensors.Keys);
        Assert.Contains("optimizer.state.0.weight.max_exp_avg_sq", file.Tensors.Keys);
        Assert.Equal("1", file.Metadata["optimizer.state.0.weight.step"]);
        Assert.Equal("Adam", file.Metadata["optimizer.kind"]);
        Assert.Equal(Checkpoint.FormatValue, file.Metadata["format"]);
        Assert.Equal(run.Optimizer.StateDict().Tensors[3]["exp_avg_sq"].ToArray(), file.Tensors["optimizer.state.2.bias.exp_avg_sq"].ToArray());
    }

    [Fact]
    public void MismatchesAreClearErrors()
    {
        var path = Path.Combine(dir, "model-only.safetensors");
        var run = NewRun("sgd", 4);
        Checkpoint.Save(path, run.Model);
        var ex = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, run.Model, run.Optimizer));
        Assert.Contains("no optimizer state", ex.Message);
        Assert.Contains(path, ex.Message);
        Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, run.Model, rng: new Generator(1)));

        var other = new Sequential(new Linear(6, 9), new ReLU(), new Linear(9, 3));
        ex = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, other));
        Assert.Contains("0.weight: checkpoint has shape [8, 6], the model has [9, 6]", ex.Message);

        Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, run.Model, metadata: new Dictionary<string, string> { ["optimizer.kind"] = "x" }));

        var weights = Path.Combine(dir, "weights.safetensors");
        run.Model.Save(weights);
        ex = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(weights, run.Model));
        Assert.Contains("not a Feynman checkpoint", ex.Message);

        Checkpoint.Save(path, run.Model, run.Optimizer);
        var adam = new Adam(run.Model.Parameters());
        ex = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, run.Model, adam));
        Assert.Contains("Sgd", ex.Message);
    }

    [Fact]
    public void ModuleSaveAndLoadRoundTrip()
    {
        var path = Path.Combine(dir, "mlp.safetensors");
        var a = NewRun("sgd", 5).Model;
        a.Save(path, new Dictionary<string, string> { ["source"] = "test" });
        var b = NewRun("sgd", 6).Model;
        Assert.NotEqual(a.Parameters().First().ToArray(), b.Parameters().First().ToArray());
        var meta = b.Load(path);
        Assert.Equal("test", meta["source"]);
        var x = Tensor.Randn(new Generator(7), 2, 6);
        Assert.Equal(a.Call(x).ToArray(), b.Call(x).ToArray());
        // Written as the reference implementation writes: sorted by name.
        Assert.Equal(["0.bias", "0.weight", "2.bias", "2.weight"], Safetensors.Load(path).Keys);

        var wrong = new Sequential(new Linear(6, 8), new ReLU(), new Linear(8, 4));
        var ex = Assert.Throws<InvalidDataException>(() => wrong.Load(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains("2.weight", ex.Message);
    }
}
