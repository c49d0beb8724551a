using Feynman.Data;
using Feynman.Tensors;

namespace Feynman.Paradigms;

/// <summary>
/// How a student learns from a batch: the loss that combines its teachers' signals. Supervised
/// training, distillation, weak-to-strong and self-training are lessons; the training loop is shared.
/// </summary>
public interface ILesson
{
    string Name { get; }

    /// <summary>The scalar loss for the student's logits on <paramref name="batch"/> (autograd flows through it).</summary>
    Tensor Loss(Tensor studentLogits, Batch batch);
}
