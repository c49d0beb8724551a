using Feynman.Synthesis.Text;

namespace Feynman.Synthesis.Filters;

/// <summary>
/// The Self-Instruct / Alpaca novelty filter: an instruction is kept iff its ROUGE-L F-measure against every
/// instruction already in the index is at most <see cref="Threshold"/>; kept instructions join the index.
/// Exact and fast: F = 2·LCS/(|a|+|b|) and LCS is bounded by both lengths and by the multiset token overlap, so a pair
/// can exceed the threshold only if the lengths are close and the pair shares one of the query's k rarest tokens
/// (prefix filtering over an inverted index, k = |q| − minimum overlap + 1). Only those pairs are scored, with
/// bit-parallel LCS and rouge_score's floating-point arithmetic, so every decision equals the naive loop's.
/// </summary>
public sealed class NoveltyIndex
{
    // Slack for the pruning bounds: the float F-measure differs from 2·lcs/(la+lb) by a few ulps at most.
    private const double BoundSlack = 1e-9;

    private readonly TokenVocabulary _vocab = new();
    private readonly List<int[]> _docs = [];
    private readonly List<string> _texts = [];
    private readonly List<List<int>> _postings = [];     // token id -> ids of documents containing it, ascending
    private readonly ThreadLocal<Scratch> _scratch = new(() => new Scratch());
    private readonly double _bound;

    public NoveltyIndex(double threshold = 0.7, RougeTokenization tokenization = RougeTokenization.Reference, int maxDegreeOfParallelism = 0)
    {
        if (double.IsNaN(threshold)) throw new ArgumentException("novelty threshold must be a number.", nameof(threshold));
        Threshold = threshold;
        Tokenization = tokenization;
        MaxDegreeOfParallelism = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;
        _bound = threshold - BoundSlack;
    }

    public double Threshold { get; }
    public RougeTokenization Tokenization { get; }
    public int MaxDegreeOfParallelism { get; }

    /// <summary>Candidates checked together in parallel by <see cref="FilterAndAdd"/>; smaller in tests to cross many blocks.</summary>
    internal int BlockSize { get; set; } = 2048;

    /// <summary>Number of instructions in the index (seeds and kept ones).</summary>
    public int Count => _docs.Count;

    public string this[int index] => _texts[index];

    /// <summary>Adds an instruction without checking it (seed tasks).</summary>
    public void Add(string text) => AddTokens(text, Encode(RougeTokenizer.Tokenize(text, Tokenization)));

    /// <summary>Checks one instruction against the index without adding it.</summary>
    public NoveltyDecision Check(string text) => Check(Encode(RougeTokenizer.Tokenize(text, Tokenization)), 0, _docs.Count);

    /// <summary>Checks one instruction and adds it when kept.</summary>
    public NoveltyDecision TryAdd(string text)
    {
        var tokens = Encode(RougeTokenizer.Tokenize(text, Tokenization));
        var d = Check(tokens, 0, _docs.Count);
        if (d.Kept) AddTokens(text, tokens);
        return d;
    }

    /// <summary>
    /// Filters <paramref name="texts"/> in order, adding each kept one, in parallel: a block of candidates is checked
    /// against the index as it stood before the block on all cores, then the block's survivors are checked one by one
    /// against the instructions the block itself kept. Decisions equal calling <see cref="TryAdd"/> on each in turn.
    /// </summary>
    public NoveltyDecision[] FilterAndAdd(IReadOnlyList<string> texts, Action<int>? progress = null)
    {
        var tokenLists = new List<string>[texts.Count];
        Parallel.For(0, texts.Count, Options(), i => tokenLists[i] = RougeTokenizer.Tokenize(texts[i] ?? "", Tokenization));
        var encoded = new int[texts.Count][];
        for (int i = 0; i < encoded.Length; i++) encoded[i] = Encode(tokenLists[i]);

        var decisions = new NoveltyDecision[texts.Count];
        for (int start = 0; start < texts.Count; start += BlockSize)
        {
            int end = Math.Min(texts.Count, start + BlockSize);
            int before = _docs.Count;
            Parallel.For(start, end, Options(), i => decisions[i] = Check(encoded[i], 0, before));
            for (int i = start; i < end; i++)
            {
                if (!decisions[i].Kept) continue;
                if (_docs.Count > before)
                {
                    var inBlock = Check(encoded[i], before, _docs.Count);
                    decisions[i] = Merge(decisions[i], inBlock);
                }
                if (decisions[i].Kept) AddTokens(texts[i] ?? "", encoded[i]);
            }
            progress?.Invoke(end);
        }
        return decisions;
    }

    private static NoveltyDecision Merge(NoveltyDecision earlier, NoveltyDecision inBlock) =>
        !inBlock.Kept || inBlock.MaxFMeasure > earlier.MaxFMeasure
            ? inBlock with { PairsScored = inBlock.PairsScored + earlier.PairsScored }
            : earlier with { PairsScored = inBlock.PairsScored + earlier.PairsScored };

    private ParallelOptions Options() => new() { MaxDegreeOfParallelism = MaxDegreeOfParallelism };

    private int[] Encode(List<string> tokens)
    {
        var ids = _vocab.Encode(tokens);
        while (_postings.Count < _vocab.Count) _postings.Add([]);
        return ids;
    }

    private void AddTokens(string text, int[] tokens)
    {
        while (_postings.Count < _vocab.Count) _postings.Add([]);
        int id = _docs.Count;
        _docs.Add(tokens);
        _texts.Add(text);
        foreach (int t in tokens)
        {
            var p = _postings[t];
            if (p.Count == 0 || p[^1] != id) p.Add(id);
        }
    }

    /// <summary>Checks <paramref name="q"/> against documents with ids in [lo, hi); reads the index only.</summary>
    private NoveltyDecision Check(int[] q, int lo, int hi)
    {
        int la = q.Length;
        if (hi <= lo) return new NoveltyDecision(true, -1, 0, 0);
        // Every F-measure is >= 0: a negative threshold rejects against any document, zero tokens never exceed one >= 0.
        if (Threshold < 0) return new NoveltyDecision(false, lo, Score(q, _docs[lo]), 1);
        if (la == 0) return new NoveltyDecision(true, -1, 0, 0);

        // Feasible partner lengths: 2·min(la,lb)/(la+lb) must exceed the threshold.
        int lbLo = Math.Max(1, (int)Math.Floor(_bound * la / (2 - _bound)));
        double hiBound = _bound > 0 ? 2.0 * la / _bound - la : double.PositiveInfinity;
        int lbHi = hiBound >= int.MaxValue ? int.MaxValue : (int)Math.Ceiling(hiBound);
        // Smallest LCS that could exceed the threshold with the shortest feasible partner.
        int alpha = Math.Max(1, (int)Math.Floor(_bound * (la + lbLo) / 2) + 1);
        if (alpha > la) return new NoveltyDecision(true, -1, 0, 0);
        int prefix = la - alpha + 1;

        var s = _scratch.Value!;
        s.Prepare(_docs.Count);
        int stamp = ++s.Stamp;
        // The query's distinct tokens, rarest (shortest posting list) first, until `prefix` token occurrences are covered.
        var distinct = s.Distinct;
        distinct.Clear();
        var sorted = s.SortedTokens;
        if (sorted.Length < la) s.SortedTokens = sorted = new int[Math.Max(la, sorted.Length * 2)];
        q.CopyTo(sorted, 0);
        Array.Sort(sorted, 0, la);
        for (int i = 0; i < la;)
        {
            int j = i;
            while (j < la && sorted[j] == sorted[i]) j++;
            distinct.Add((_postings[sorted[i]].Count, sorted[i], j - i));
            i = j;
        }
        distinct.Sort();

        s.Pattern.Set(q);
        var best = new NoveltyDecision(true, -1, 0, 0);
        int scored = 0, covered = 0;
        foreach (var (_, token, count) in distinct)
        {
            if (covered >= prefix) break;
            covered += count;
            var posting = _postings[token];
            for (int k = posting.Count - 1; k >= 0; k--)
            {
                int d = posting[k];
                if (d >= hi) continue;
                if (d < lo) break;
                if (s.Stamps[d] == stamp) continue;
                s.Stamps[d] = stamp;
                var doc = _docs[d];
                if (doc.Length < lbLo || doc.Length > lbHi) continue;
                int lcs = s.Pattern.LcsWith(doc);
                scored++;
                double f = RougeL.FromLcs(lcs, doc.Length, la).FMeasure;
                if (f > Threshold) return new NoveltyDecision(false, d, f, scored);
                if (f > best.MaxFMeasure || best.MostSimilar < 0) best = new NoveltyDecision(true, d, f, 0);
            }
        }
        return best with { PairsScored = scored };
    }

    private static double Score(int[] a, int[] b) => RougeL.FromLcs(Lcs.Length(a, b), b.Length, a.Length).FMeasure;

    private sealed class Scratch
    {
        public readonly LcsPattern Pattern = new();
        public readonly List<(int PostingLength, int Token, int Count)> Distinct = [];
        public int[] SortedTokens = new int[64];
        public int[] Stamps = [];
        public int Stamp;

        public void Prepare(int docs)
        {
            if (Stamps.Length < docs) { Stamps = new int[Math.Max(docs, Stamps.Length * 2)]; Stamp = 0; }
        }
    }
}
