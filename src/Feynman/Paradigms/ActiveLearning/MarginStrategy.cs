namespace Feynman.Paradigms.ActiveLearning;

/// <summary>Asks about the samples whose two most likely classes are closest: score −(p₁ − p₂).</summary>
public sealed class MarginStrategy : UncertaintyStrategy
{
    public override string Name => "margin";

    public override double Score(ReadOnlySpan<float> probabilities)
    {
        float first = float.NegativeInfinity, second = float.NegativeInfinity;
        foreach (float p in probabilities)
        {
            if (p > first) (first, second) = (p, first);
            else if (p > second) second = p;
        }
        return probabilities.Length < 2 ? double.NegativeInfinity : -(double)(first - second);
    }
}
