namespace Feynman.Synthesis.Text;

/// <summary>Longest common subsequence of two token-id sequences.</summary>
public static class Lcs
{
    [ThreadStatic] private static LcsPattern? s_pattern;

    /// <summary>Bit-parallel LCS length (see <see cref="LcsPattern"/>).</summary>
    public static int Length(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        var p = s_pattern ??= new LcsPattern();
        p.Set(a);
        return p.LcsWith(b);
    }

    /// <summary>The textbook O(|a||b|) table, as rouge_score's <c>_lcs_table</c>; kept as the reference for tests.</summary>
    public static int LengthByTable(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        if (a.Length == 0 || b.Length == 0) return 0;
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
                cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : Math.Max(prev[j], cur[j - 1]);
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
