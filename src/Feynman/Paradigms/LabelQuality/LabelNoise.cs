using Feynman.Tensors;

namespace Feynman.Paradigms.LabelQuality;

/// <summary>Synthetic label errors for label-quality studies.</summary>
public static class LabelNoise
{
    /// <summary>
    /// Class-conditional flips: in every class exactly round(<paramref name="rate"/> × its count) samples, chosen
    /// at random, get another class drawn from that class's own (seeded, random) distribution over the other
    /// classes, so errors depend on the true class as real confusions do.
    /// </summary>
    public static int[] FlipClassConditional(ReadOnlySpan<int> labels, int classes, double rate, ulong seed)
    {
        if (!(rate >= 0 && rate <= 1)) throw new ArgumentOutOfRangeException(nameof(rate), $"the flip rate must be in [0, 1], got {rate}.");
        if (classes < 2) throw new ArgumentException($"flipping labels needs at least 2 classes, got {classes}.");
        var rng = new Generator(seed);
        var transition = new double[classes][];
        for (int c = 0; c < classes; c++)
        {
            transition[c] = new double[classes];
            for (int d = 0; d < classes; d++) transition[c][d] = d == c ? 0 : rng.NextDouble() + 0.05;
            double sum = transition[c].Sum();
            for (int d = 0; d < classes; d++) transition[c][d] /= sum;
        }
        var original = labels.ToArray();
        var noisy = labels.ToArray();
        for (int c = 0; c < classes; c++)
        {
            // Members by the original label, so a sample is flipped at most once.
            var members = Enumerable.Range(0, original.Length).Where(i => original[i] == c).ToArray();
            rng.Shuffle(members.AsSpan());
            int flips = (int)Math.Round(rate * members.Length, MidpointRounding.ToEven);
            for (int m = 0; m < flips; m++)
            {
                double u = rng.NextDouble(), acc = 0;
                int target = c == 0 ? 1 : 0;
                for (int d = 0; d < classes; d++)
                {
                    acc += transition[c][d];
                    if (d != c && u < acc) { target = d; break; }
                }
                noisy[members[m]] = target;
            }
        }
        return noisy;
    }
}
