using Feynman.Autograd;
using Feynman.Tensors;

namespace Feynman.Bench.Models;

/// <summary>
/// A ReLU MLP trained with cross-entropy and SGD (lr 0.01, momentum 0.9) on one fixed random batch:
/// Ops.Linear/Ops.Relu forward, the tape backward, then one fused update per parameter.
/// The loss and the update are <see cref="TemporaryKernels"/> until Ops.CrossEntropy and Optim.Sgd exist.
/// </summary>
public sealed class MlpModel(string name, int[] sizes) : BenchModel
{
    private const float LearningRate = 0.01f, Momentum = 0.9f;
    private readonly List<Tensor> parameters = [];
    private readonly List<Tensor> velocities = [];
    private Tensor? input;
    private int[] labels = [];

    public override string Name => name;

    public override bool IsInference => false;

    public override void Setup(int batch, int seed)
    {
        var rng = new Generator((ulong)seed);
        for (int i = 0; i + 1 < sizes.Length; i++)
        {
            // PyTorch's default Linear init: U(-1/sqrt(in), 1/sqrt(in)) for weight and bias.
            float bound = 1f / MathF.Sqrt(sizes[i]);
            parameters.Add(Tensor.Uniform(rng, -bound, bound, sizes[i + 1], sizes[i]).RequireGrad());
            parameters.Add(Tensor.Uniform(rng, -bound, bound, sizes[i + 1]).RequireGrad());
        }
        foreach (var p in parameters) velocities.Add(Tensor.Zeros(p.Shape));
        input = Tensor.Rand(rng, batch, sizes[0]);
        labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = rng.NextInt(sizes[^1]);
    }

    public override float Step()
    {
        float loss;
        using (TensorScope.Begin())
        {
            var h = input!;
            for (int l = 0; l < parameters.Count; l += 2)
            {
                h = Ops.Linear(h, parameters[l], parameters[l + 1]);
                if (l + 2 < parameters.Count) h = Ops.Relu(h);
            }
            var grad = Tensor.Empty(h.Shape);
            loss = TemporaryKernels.SoftmaxCrossEntropy(h.Span, labels, h.Size(-1), grad.Span);
            h.Backward(grad);
        }
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            var g = p.Grad ?? throw new InvalidOperationException($"parameter {i} of {Name} got no gradient.");
            TemporaryKernels.SgdMomentum(p.Span, g.Span, velocities[i].Span, LearningRate, Momentum);
            // Like zero_grad(set_to_none=True): the next backward writes a fresh pooled buffer with beta = 0.
            p.Grad = null;
            g.Dispose();
        }
        return loss;
    }
}
