using System.Runtime.CompilerServices;
using Feynman.Synthesis.Text;

namespace Feynman.Synthesis.Filters;

/// <summary>
/// Near-duplicate removal for corpora too large even for the pruned ROUGE-L pass: each text becomes the set of its
/// word n-gram shingles, summarised by a MinHash signature (the fraction of equal signature entries estimates the
/// Jaccard similarity); locality-sensitive hashing over bands of the signature finds candidate pairs in roughly
/// linear time. In input order, a text is dropped when its estimated Jaccard similarity with an earlier kept text
/// reaches the threshold. Signatures are computed in parallel; decisions are sequential and deterministic.
/// </summary>
public sealed class MinHashDeduplicator
{
    private readonly ulong[] _seeds;

    public MinHashDeduplicator(double threshold = 0.7, int permutations = 128, int bands = 32, int shingleWords = 2,
        RougeTokenization tokenization = RougeTokenization.Unicode, int seed = 1)
    {
        if (permutations % bands != 0) throw new ArgumentException($"permutations ({permutations}) must be a multiple of bands ({bands}).");
        if (threshold is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(threshold), $"Jaccard threshold must be in (0, 1], got {threshold}.");
        Threshold = threshold;
        Permutations = permutations;
        Bands = bands;
        ShingleWords = Math.Max(1, shingleWords);
        Tokenization = tokenization;
        var rng = new Random(seed);
        _seeds = Enumerable.Range(0, permutations).Select(_ => (ulong)rng.NextInt64() | 1).ToArray();
    }

    public double Threshold { get; }
    public int Permutations { get; }
    public int Bands { get; }
    public int ShingleWords { get; }
    public RougeTokenization Tokenization { get; }

    /// <summary>The MinHash signature of <paramref name="text"/>; all entries ulong.MaxValue when it has no tokens.</summary>
    public ulong[] Signature(string text)
    {
        var tokens = RougeTokenizer.Tokenize(text ?? "", Tokenization);
        var sig = new ulong[Permutations];
        Array.Fill(sig, ulong.MaxValue);
        int n = Math.Min(ShingleWords, Math.Max(1, tokens.Count));
        for (int i = 0; i + n <= tokens.Count; i++)
        {
            ulong h = 1469598103934665603UL;
            for (int k = i; k < i + n; k++)
            {
                foreach (char c in tokens[k]) h = (h ^ c) * 1099511628211UL;
                h = (h ^ 0x1F) * 1099511628211UL; // separator between words
            }
            for (int p = 0; p < sig.Length; p++)
            {
                ulong v = Mix(h ^ _seeds[p]);
                if (v < sig[p]) sig[p] = v;
            }
        }
        return sig;
    }

    public static double EstimateJaccard(ulong[] a, ulong[] b)
    {
        int same = 0;
        for (int i = 0; i < a.Length; i++) if (a[i] == b[i]) same++;
        return (double)same / a.Length;
    }

    public DuplicateDecision[] Deduplicate(IReadOnlyList<string> texts)
    {
        var sigs = new ulong[texts.Count][];
        Parallel.For(0, texts.Count, i => sigs[i] = Signature(texts[i]));
        int rows = Permutations / Bands;
        var buckets = new Dictionary<(int Band, ulong Hash), List<int>>();
        var decisions = new DuplicateDecision[texts.Count];
        var candidates = new HashSet<int>();
        for (int i = 0; i < texts.Count; i++)
        {
            var sig = sigs[i];
            candidates.Clear();
            var keys = new (int, ulong)[Bands];
            for (int b = 0; b < Bands; b++)
            {
                ulong h = 0x9E3779B97F4A7C15UL;
                for (int r = 0; r < rows; r++) h = Mix(h ^ sig[b * rows + r]);
                keys[b] = (b, h);
                if (buckets.TryGetValue(keys[b], out var list)) foreach (int j in list) candidates.Add(j);
            }
            int dup = -1;
            double best = 0;
            foreach (int j in candidates.Order())
            {
                double jac = EstimateJaccard(sig, sigs[j]);
                if (jac >= Threshold && jac > best) { best = jac; dup = j; }
            }
            decisions[i] = new DuplicateDecision(dup < 0, dup, best);
            if (dup >= 0) continue;
            foreach (var k in keys)
            {
                if (!buckets.TryGetValue(k, out var list)) buckets[k] = list = [];
                list.Add(i);
            }
        }
        return decisions;
    }

    // SplitMix64 finaliser: a good 64-bit mixing function, so (seed ^ shingle hash) acts as an independent permutation.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
