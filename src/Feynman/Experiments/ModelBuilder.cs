using Feynman.Nn;
using Feynman.Tensors;
using Feynman.Training.Recipes;

namespace Feynman.Experiments;

/// <summary>Builds the Sequential a recipe's model describes, layer for layer as PyTorch's nn.Sequential would be.</summary>
public static class ModelBuilder
{
    /// <summary>A fresh model with PyTorch's default initialisation drawn from <paramref name="rng"/> (dropout draws from it too).</summary>
    public static Sequential Build(ModelSpec spec, Generator rng)
    {
        var model = new Sequential();
        foreach (var l in spec.Layers)
        {
            Module m = l.Kind switch
            {
                LayerKind.Conv2d => new Conv2d(l.InFeatures, l.OutFeatures, l.Kernel, l.Stride, l.Padding, bias: l.Bias, rng: rng),
                LayerKind.Linear => new Linear(l.InFeatures, l.OutFeatures, l.Bias, rng),
                LayerKind.ReLU => new ReLU(),
                LayerKind.GELU => new GELU(),
                LayerKind.Tanh => new Tanh(),
                LayerKind.MaxPool2d => new MaxPool2d(l.Kernel, l.Stride, l.Padding),
                LayerKind.AvgPool2d => new AvgPool2d(l.Kernel, l.Stride, l.Padding),
                LayerKind.Flatten => new Flatten(),
                LayerKind.Dropout => new Dropout(l.P, rng),
                LayerKind.BatchNorm2d => new BatchNorm2d(l.InFeatures, l.Eps, l.Momentum),
                LayerKind.BatchNorm1d => new BatchNorm1d(l.InFeatures, l.Eps, l.Momentum),
                _ => throw new NotSupportedException($"layer {l.Index} ({l.Kind}, line {l.Line}) has no Feynman module."),
            };
            model.Add(m);
        }
        return model;
    }
}
