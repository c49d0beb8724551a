namespace Feynman.Paradigms.ActiveLearning;

/// <summary>Deterministic top-k selection shared by the strategies.</summary>
public static class Ranking
{
    /// <summary>
    /// Positions of the <paramref name="count"/> highest scores, highest first; equal scores go to the
    /// lower position (candidates are in ascending pool order, so to the lower pool index). NaN ranks last.
    /// </summary>
    public static int[] TopK(ReadOnlySpan<double> scores, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var order = new int[scores.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var s = scores.ToArray();
        Array.Sort(order, (a, b) =>
        {
            double x = double.IsNaN(s[a]) ? double.NegativeInfinity : s[a];
            double y = double.IsNaN(s[b]) ? double.NegativeInfinity : s[b];
            int c = y.CompareTo(x);
            return c != 0 ? c : a.CompareTo(b);
        });
        return order[..Math.Min(count, order.Length)];
    }
}
