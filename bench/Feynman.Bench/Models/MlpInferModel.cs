using Feynman.Tensors;
using Feynman.Tensors.Kernels;

namespace Feynman.Bench.Models;

/// <summary>One-sample inference of a ReLU MLP through <see cref="Gemv"/>: no tape, no threads, no allocation.</summary>
public sealed class MlpInferModel(string name, int[] sizes) : BenchModel
{
    private float[][] weights = [];
    private float[][] biases = [];
    private float[][] activations = [];

    public override string Name => name;

    public override bool IsInference => true;

    public override void Setup(int batch, int seed)
    {
        var rng = new Generator((ulong)seed);
        int layers = sizes.Length - 1;
        weights = new float[layers][];
        biases = new float[layers][];
        activations = new float[sizes.Length][];
        for (int i = 0; i < layers; i++)
        {
            float bound = 1f / MathF.Sqrt(sizes[i]);
            weights[i] = Tensor.Uniform(rng, -bound, bound, sizes[i + 1], sizes[i]).ToArray();
            biases[i] = Tensor.Uniform(rng, -bound, bound, sizes[i + 1]).ToArray();
        }
        for (int i = 0; i < sizes.Length; i++) activations[i] = new float[sizes[i]];
        rng.FillUniform(activations[0], 0f, 1f);
    }

    public override void Infer()
    {
        for (int i = 0; i < weights.Length; i++)
            Gemv.Linear(weights[i], activations[i], biases[i], activations[i + 1], relu: i + 1 < weights.Length);
    }
}
