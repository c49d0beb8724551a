namespace Feynman.Paradigms.ActiveLearning;

/// <summary>Asks about the samples whose most likely class is least likely: score 1 − max p.</summary>
public sealed class LeastConfidenceStrategy : UncertaintyStrategy
{
    public override string Name => "least-confidence";

    public override double Score(ReadOnlySpan<float> probabilities) => 1.0 - TensorPrimitives.Max(probabilities);
}
