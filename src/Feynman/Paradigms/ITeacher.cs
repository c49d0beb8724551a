using Feynman.Data;

namespace Feynman.Paradigms;

/// <summary>
/// Whatever supervises a student with soft targets: a trained model, an ensemble, an LLM, a person.
/// Given a batch, it writes class probabilities at a temperature into <c>destination</c> ([B, C], row-major).
/// </summary>
public interface ITeacher
{
    string Name { get; }

    int Classes { get; }

    /// <summary>Writes softmax(teacher logits / <paramref name="temperature"/>) for the batch's samples.</summary>
    void SoftTargets(Batch batch, float temperature, Span<float> destination);
}
