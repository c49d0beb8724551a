namespace Feynman.Paradigms.ActiveLearning;

/// <summary>Asks about the samples with the most spread-out prediction: score −Σ p log p (nats).</summary>
public sealed class EntropyStrategy : UncertaintyStrategy
{
    public override string Name => "entropy";

    public override double Score(ReadOnlySpan<float> probabilities) => Entropy(probabilities);

    /// <summary>Shannon entropy in nats; 0 log 0 counts as 0.</summary>
    public static double Entropy(ReadOnlySpan<float> p)
    {
        double h = 0;
        foreach (float v in p)
            if (v > 0) h -= v * Math.Log(v);
        return h;
    }
}
