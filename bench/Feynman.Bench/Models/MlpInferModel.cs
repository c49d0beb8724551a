using Feynman.Nn;
using Feynman.Tensors;

namespace Feynman.Bench.Models;

/// <summary>One-sample inference of a ReLU MLP through the library's fast path, <see cref="CompiledMlp"/> (Gemv: no tape, no threads, no allocation).</summary>
public sealed class MlpInferModel(string name, int[] sizes) : BenchModel
{
    private CompiledMlp? compiled;
    private float[] input = [];
    private float[] output = [];

    public override string Name => name;

    public override bool IsInference => true;

    public override void Setup(int batch, int seed)
    {
        var rng = new Generator((ulong)seed);
        var seq = new Sequential();
        for (int i = 0; i + 1 < sizes.Length; i++)
        {
            if (i > 0) seq.Add(new ReLU());
            seq.Add(new Linear(sizes[i], sizes[i + 1], rng: rng));
        }
        compiled = CompiledMlp.Compile(seq);
        input = new float[sizes[0]];
        output = new float[sizes[^1]];
        rng.FillUniform(input, 0f, 1f);
    }

    public override void Infer() => compiled!.Predict(input, output);
}
