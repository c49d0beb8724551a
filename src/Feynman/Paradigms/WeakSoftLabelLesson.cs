using Feynman.Autograd;
using Feynman.Data;
using Feynman.Tensors;

namespace Feynman.Paradigms;

/// <summary>Naive weak-to-strong with soft labels: L = CE(f, f_w), the weak model's probabilities as targets.</summary>
public sealed class WeakSoftLabelLesson(ITeacher weak) : ILesson
{
    private float[] buffer = [];

    public string Name => "weak soft labels";

    public ITeacher Weak { get; } = weak;

    public Tensor Loss(Tensor studentLogits, Batch batch)
    {
        var p = WeakLabels.Probabilities(Weak, batch, ref buffer);
        return Ops.CrossEntropy(studentLogits, Tensor.From(p, batch.Size, Weak.Classes));
    }
}
