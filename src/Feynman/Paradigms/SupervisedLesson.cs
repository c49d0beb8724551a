using Feynman.Autograd;
using Feynman.Data;
using Feynman.Tensors;

namespace Feynman.Paradigms;

/// <summary>Learning from the dataset's labels: cross-entropy, optionally label-smoothed.</summary>
public sealed class SupervisedLesson(float labelSmoothing = 0f) : ILesson
{
    public string Name => "supervised";

    public Tensor Loss(Tensor studentLogits, Batch batch) => Ops.CrossEntropy(studentLogits, batch.Labels, labelSmoothing: labelSmoothing);
}
