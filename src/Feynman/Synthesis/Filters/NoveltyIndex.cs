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
    private readonly List<List<int>> _postingCounts = []; // token id -> occurrences in each of those documents
    private readonly ThreadLocal<Scratch> _scratch = new(() => new Scratch());
    private readonly double _bound;
    private int _prefixStart = int.MaxValue;           // documents from here on are also in _prefixPostings
    private List<int>?[]? _prefixPostings;

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
    public NoveltyDecision Check(string text) => Check(Encode(RougeTokenizer.Tokenize(text, Tokenization)), null, 0, _docs.Count);

    /// <summary>Checks one instruction and adds it when kept.</summary>
    public NoveltyDecision TryAdd(string text)
    {
        var tokens = Encode(RougeTokenizer.Tokenize(text, Tokenization));
        var d = Check(tokens, null, 0, _docs.Count);
        if (d.Kept) AddTokens(text, tokens);
        return d;
    }

    /// <summary>
    /// Filters <paramref name="texts"/> in order, adding each kept one, in parallel: a block of candidates is checked
    /// against the index as it stood before the block on all cores, then the block's survivors are checked one by one
    /// against the instructions the block itself kept. Decisions equal calling <see cref="TryAdd"/> on each in turn.
    /// Within the call both sides are prefix-filtered under one token order (rarest in the batch first), so common
    /// words are almost never probed.
    /// </summary>
    public NoveltyDecision[] FilterAndAdd(IReadOnlyList<string> texts, Action<int>? progress = null)
    {
        var tokenLists = new List<string>[texts.Count];
        Parallel.For(0, texts.Count, Options(), i => tokenLists[i] = RougeTokenizer.Tokenize(texts[i] ?? "", Tokenization));
        var encoded = new int[texts.Count][];
        for (int i = 0; i < encoded.Length; i++) encoded[i] = Encode(tokenLists[i]);

        // One global order for the batch: ascending frequency, ties by id.
        var freq = new int[_vocab.Count];
        foreach (var e in encoded) foreach (int t in e) freq[t]++;
        var byRank = Enumerable.Range(0, freq.Length).ToArray();
        Array.Sort(byRank, (x, y) => freq[x] != freq[y] ? freq[x].CompareTo(freq[y]) : x.CompareTo(y));
        var rank = new int[freq.Length];
        for (int r = 0; r < byRank.Length; r++) rank[byRank[r]] = r;
        var prefixes = new int[texts.Count][];
        Parallel.For(0, texts.Count, Options(), i => prefixes[i] = PrefixTokens(encoded[i], rank));

        _prefixStart = _docs.Count;
        _prefixPostings = new List<int>?[_vocab.Count];
        try
        {
            var decisions = new NoveltyDecision[texts.Count];
            for (int start = 0; start < texts.Count; start += BlockSize)
            {
                int end = Math.Min(texts.Count, start + BlockSize);
                int before = _docs.Count;
                Parallel.For(start, end, Options(), i => decisions[i] = Check(encoded[i], prefixes[i], 0, before));
                for (int i = start; i < end; i++)
                {
                    if (!decisions[i].Kept) continue;
                    if (_docs.Count > before)
                    {
                        var inBlock = Check(encoded[i], prefixes[i], before, _docs.Count);
                        decisions[i] = Merge(decisions[i], inBlock);
                    }
                    if (!decisions[i].Kept) continue;
                    int id = _docs.Count;
                    AddTokens(texts[i] ?? "", encoded[i]);
                    foreach (int t in prefixes[i]) (_prefixPostings[t] ??= []).Add(id);
                }
                progress?.Invoke(end);
            }
            return decisions;
        }
        finally
        {
            _prefixStart = int.MaxValue;
            _prefixPostings = null;
        }
    }

    // The distinct tokens among the first |q| - alphaMin + 1 occurrences of q in rank order.
    private int[] PrefixTokens(int[] q, int[] rank)
    {
        int la = q.Length;
        if (la == 0 || Threshold < 0) return [];
        Bounds(la, out _, out _, out int alpha);
        if (alpha > la) return [];
        var sorted = (int[])q.Clone();
        Array.Sort(sorted, (x, y) => rank[x].CompareTo(rank[y]));
        var result = new List<int>();
        for (int i = 0; i < la - alpha + 1; i++)
            if (result.Count == 0 || result[^1] != sorted[i]) result.Add(sorted[i]);
        return [.. result];
    }

    // Feasible partner lengths (2·min(la,lb)/(la+lb) must exceed the threshold) and the smallest LCS that could exceed
    // it with the shortest of them; all conservative by BoundSlack.
    private void Bounds(int la, out int lbLo, out int lbHi, out int alphaMin)
    {
        lbLo = Math.Max(1, (int)Math.Floor(_bound * la / (2 - _bound)));
        double hiBound = _bound > 0 ? 2.0 * la / _bound - la : double.PositiveInfinity;
        lbHi = hiBound >= int.MaxValue ? int.MaxValue : (int)Math.Ceiling(hiBound);
        alphaMin = Math.Max(1, (int)Math.Floor(_bound * (la + lbLo) / 2) + 1);
    }

    private static NoveltyDecision Merge(NoveltyDecision earlier, NoveltyDecision inBlock) =>
        !inBlock.Kept || inBlock.MaxFMeasure > earlier.MaxFMeasure
            ? inBlock with { PairsScored = inBlock.PairsScored + earlier.PairsScored }
            : earlier with { PairsScored = inBlock.PairsScored + earlier.PairsScored };

    private ParallelOptions Options() => new() { MaxDegreeOfParallelism = MaxDegreeOfParallelism };

    private int[] Encode(List<string> tokens)
    {
        var ids = _vocab.Encode(tokens);
        while (_postings.Count < _vocab.Count) { _postings.Add([]); _postingCounts.Add([]); }
        return ids;
    }

    private void AddTokens(string text, int[] tokens)
    {
        while (_postings.Count < _vocab.Count) { _postings.Add([]); _postingCounts.Add([]); }
        int id = _docs.Count;
        _docs.Add(tokens);
        _texts.Add(text);
        foreach (int t in tokens)
        {
            var p = _postings[t];
            if (p.Count == 0 || p[^1] != id) { p.Add(id); _postingCounts[t].Add(1); }
            else _postingCounts[t][^1]++;
        }
    }

    /// <summary>Checks <paramref name="q"/> against documents with ids in [lo, hi); reads the index only.</summary>
    private NoveltyDecision Check(int[] q, int[]? qPrefix, int lo, int hi)
    {
        int la = q.Length;
        if (hi <= lo) return new NoveltyDecision(true, -1, 0, 0);
        // Every F-measure is >= 0: a negative threshold rejects against any document, zero tokens never exceed one >= 0.
        if (Threshold < 0) return new NoveltyDecision(false, lo, Score(q, _docs[lo]), 1);
        if (la == 0) return new NoveltyDecision(true, -1, 0, 0);
        Bounds(la, out int lbLo, out int lbHi, out int alpha);
        if (alpha > la) return new NoveltyDecision(true, -1, 0, 0);

        var s = _scratch.Value!;
        s.Prepare(_docs.Count);
        s.Pattern.Set(q);
        var best = new NoveltyDecision(true, -1, 0, 0);
        int split = qPrefix == null ? hi : Math.Clamp(_prefixStart, lo, hi);
        if (lo < split)
        {
            var d = CheckOneSided(s, q, lo, split, lbLo, lbHi, la - alpha + 1);
            if (!d.Kept) return d;
            best = d;
        }
        if (split < hi)
        {
            var d = CheckTwoSided(s, q, qPrefix!, split, hi, lbLo, lbHi);
            d = d with { PairsScored = d.PairsScored + best.PairsScored };
            if (!d.Kept || d.MaxFMeasure > best.MaxFMeasure || best.MostSimilar < 0) return d;
            best = best with { PairsScored = d.PairsScored };
        }
        return best;
    }

    // Documents indexed with all their tokens: probe the query's rarest `prefix` occurrences (by current posting length).
    private NoveltyDecision CheckOneSided(Scratch s, int[] q, int lo, int hi, int lbLo, int lbHi, int prefix)
    {
        int la = q.Length;
        int stamp = ++s.Stamp;
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

        // Pass 1: count, per document, the query occurrences it matches among the probed (rarest) tokens.
        var touched = s.Touched;
        touched.Clear();
        int covered = 0;
        foreach (var (_, token, count) in distinct)
        {
            if (covered >= prefix) break;
            covered += count;
            var posting = _postings[token];
            var counts = _postingCounts[token];
            int top = posting.Count;
            if (top > 0 && posting[top - 1] >= hi)
            {
                top = posting.BinarySearch(hi);
                if (top < 0) top = ~top;
            }
            for (int k = top - 1; k >= 0; k--)
            {
                int d = posting[k];
                if (d < lo) break;
                int lb = _docs[d].Length;
                if (lb < lbLo || lb > lbHi) continue;
                if (s.Stamps[d] != stamp) { s.Stamps[d] = stamp; s.Hits[d] = 0; touched.Add(d); }
                s.Hits[d] += Math.Min(count, counts[k]);
            }
        }
        // Pass 2: LCS <= overlap <= hits + the query occurrences outside the probed tokens; score only pairs whose bound
        // can still exceed the threshold at their own lengths.
        int unprobed = la - covered;
        var best = new NoveltyDecision(true, -1, 0, 0);
        int scored = 0;
        foreach (int d in touched)
        {
            var doc = _docs[d];
            int lb = doc.Length;
            int need = (int)Math.Floor(_bound * (la + lb) / 2) + 1;
            if (s.Hits[d] + unprobed < need) continue;
            var r = Score(s, q, d, ref scored, ref best);
            if (r != null) return r.Value;
        }
        return best with { PairsScored = scored };
    }

    // Documents added in the current FilterAndAdd call, indexed by their prefix tokens only.
    private NoveltyDecision CheckTwoSided(Scratch s, int[] q, int[] qPrefix, int lo, int hi, int lbLo, int lbHi)
    {
        int stamp = ++s.Stamp;
        var best = new NoveltyDecision(true, -1, 0, 0);
        int scored = 0;
        var postings = _prefixPostings!;
        foreach (int t in qPrefix)
        {
            var posting = t < postings.Length ? postings[t] : null;
            if (posting == null) continue;
            for (int k = posting.Count - 1; k >= 0; k--)
            {
                int d = posting[k];
                if (d >= hi) continue;
                if (d < lo) break;
                if (s.Stamps[d] == stamp) continue;
                s.Stamps[d] = stamp;
                int lb = _docs[d].Length;
                if (lb < lbLo || lb > lbHi) continue;
                var r = Score(s, q, d, ref scored, ref best);
                if (r != null) return r.Value;
            }
        }
        return best with { PairsScored = scored };
    }

    // Scores one pair; returns the rejection, or null after updating the best-so-far.
    private NoveltyDecision? Score(Scratch s, int[] q, int d, ref int scored, ref NoveltyDecision best)
    {
        var doc = _docs[d];
        int lcs = s.Pattern.LcsWith(doc);
        scored++;
        double f = RougeL.FromLcs(lcs, doc.Length, q.Length).FMeasure;
        if (f > Threshold) return new NoveltyDecision(false, d, f, scored);
        if (f > best.MaxFMeasure || best.MostSimilar < 0) best = new NoveltyDecision(true, d, f, 0);
        return null;
    }

    private static double Score(int[] a, int[] b) => RougeL.FromLcs(Lcs.Length(a, b), b.Length, a.Length).FMeasure;

    private sealed class Scratch
    {
        public readonly LcsPattern Pattern = new();
        public readonly List<(int PostingLength, int Token, int Count)> Distinct = [];
        public int[] SortedTokens = new int[64];
        public readonly List<int> Touched = [];
        public int[] Stamps = [];
        public int[] Hits = [];
        public int Stamp;

        public void Prepare(int docs)
        {
            if (Stamps.Length < docs)
            {
                Stamps = new int[Math.Max(docs, Stamps.Length * 2)];
                Hits = new int[Stamps.Length];
                Stamp = 0;
            }
        }
    }
}
