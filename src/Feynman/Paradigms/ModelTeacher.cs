using Feynman.Autograd;
using Feynman.Data;
using Feynman.Nn;
using Feynman.Tensors;

namespace Feynman.Paradigms;

/// <summary>A trained network as teacher: run in eval mode under no-grad, its logits softened at a temperature.</summary>
public sealed class ModelTeacher(string name, Module model, int classes) : ITeacher
{
    public string Name { get; } = name;

    public Module Model { get; } = model;

    public int Classes { get; } = classes;

    public void SoftTargets(Batch batch, float temperature, Span<float> destination)
    {
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        bool wasTraining = Model.IsTraining;
        Model.Eval();
        try
        {
            var logits = Model.Forward(batch.Inputs);
            if (logits.Count != batch.Size * Classes)
                throw new InvalidOperationException($"teacher {Name} produced {logits.ShapeString} for a batch of {batch.Size} with {Classes} classes.");
            SoftMax.RowsAtTemperature(logits.Span, Classes, temperature, destination);
        }
        finally
        {
            Model.Train(wasTraining);
        }
    }
}
