namespace Feynman.Bench.Models;

/// <summary>
/// One benchmark model, the Feynman twin of a model in reference/bench_torch.py. A training model
/// implements <see cref="Step"/> (forward, backward and optimizer update on one fixed batch); an
/// inference model implements <see cref="Infer"/> (one sample, no autograd). To add a model: write a
/// subclass in this folder and register it in <see cref="BenchModels"/> under the PyTorch side's name.
/// </summary>
public abstract class BenchModel
{
    public abstract string Name { get; }

    public abstract bool IsInference { get; }

    /// <summary>
    /// Builds parameters and the fixed input batch (batch 128 of 1x28x28, 10 classes). Throws
    /// <see cref="NotSupportedException"/> naming the missing ops when the engine cannot run the model yet.
    /// </summary>
    public abstract void Setup(int batch, int seed);

    /// <summary>One training step; returns the loss.</summary>
    public virtual float Step() => throw new NotSupportedException($"{Name} is an inference model; it has no training step.");

    /// <summary>One one-sample inference.</summary>
    public virtual void Infer() => throw new NotSupportedException($"{Name} is a training model; it has no inference call.");
}
