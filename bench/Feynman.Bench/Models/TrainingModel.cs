using Feynman.Autograd;
using Feynman.Nn;
using Feynman.Optim;
using Feynman.Tensors;

namespace Feynman.Bench.Models;

/// <summary>
/// A classifier trained exactly as reference/bench_torch.py trains its twin: one fixed random batch
/// (1x28x28 inputs, 10 classes), Ops.CrossEntropy, Optim.Sgd (lr 0.01, momentum 0.9), zero_grad(set_to_none).
/// The forward and backward run inside a TensorScope, so a steady-state step rents every buffer from the pool.
/// </summary>
public sealed class TrainingModel(string name, Func<Generator, Sequential> build, int[] inputShape) : BenchModel
{
    private const double LearningRate = 0.01, Momentum = 0.9;
    private Sequential? model;
    private Sgd? optimizer;
    private Tensor? input;
    private int[] labels = [];

    public override string Name => name;

    public override bool IsInference => false;

    public override void Setup(int batch, int seed)
    {
        var rng = new Generator((ulong)seed);
        model = build(rng);
        optimizer = new Sgd(model.Parameters(), LearningRate, Momentum);
        input = Tensor.Rand(rng, [batch, .. inputShape]).Persist();
        labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = rng.NextInt(10);
    }

    public override float Step()
    {
        float loss;
        using (TensorScope.Begin())
        {
            var l = Ops.CrossEntropy(model!.Forward(input!), labels);
            l.Backward();
            loss = l.Item();
        }
        optimizer!.Step();
        optimizer.ZeroGrad();
        return loss;
    }

    /// <summary>MLP with ReLU between Linear layers; <paramref name="sizes"/> = [784, hidden..., 10].</summary>
    public static TrainingModel Mlp(string name, int[] sizes) => new(name, rng =>
    {
        var seq = new Sequential();
        for (int i = 0; i + 1 < sizes.Length; i++)
        {
            if (i > 0) seq.Add(new ReLU());
            seq.Add(new Linear(sizes[i], sizes[i + 1], rng: rng));
        }
        return seq;
    }, [sizes[0]]);

    /// <summary>conv(1→32,3x3,pad1)-ReLU-maxpool2-conv(32→64,3x3,pad1)-ReLU-maxpool2-flatten-linear(3136→128)-ReLU-linear(128→10).</summary>
    public static TrainingModel Cnn() => new("cnn", rng => new Sequential(
        new Conv2d(1, 32, 3, padding: 1, rng: rng), new ReLU(), new MaxPool2d(2),
        new Conv2d(32, 64, 3, padding: 1, rng: rng), new ReLU(), new MaxPool2d(2),
        new Flatten(), new Linear(3136, 128, rng: rng), new ReLU(), new Linear(128, 10, rng: rng)), [1, 28, 28]);
}
