using Feynman.Autograd;
using Feynman.Data;
using Feynman.Tensors;

namespace Feynman.Paradigms;

/// <summary>Naive weak-to-strong with hard labels: L = CE(f, argmax f_w).</summary>
public sealed class WeakHardLabelLesson(ITeacher weak) : ILesson
{
    private float[] buffer = [];

    public string Name => "weak hard labels";

    public ITeacher Weak { get; } = weak;

    public Tensor Loss(Tensor studentLogits, Batch batch)
    {
        var p = WeakLabels.Probabilities(Weak, batch, ref buffer);
        return Ops.CrossEntropy(studentLogits, WeakLabels.Argmax(p, Weak.Classes));
    }
}
