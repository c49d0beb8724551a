using Feynman.Synthesis.Filters;

namespace Feynman.Text.Teaching;

/// <summary>
/// The loop's novelty check against everything kept so far (<see cref="NoveltyIndex"/> for ROUGE-L, MinHash signatures
/// compared one by one otherwise), with a scratch set for one batch so near-duplicates within a batch are caught too.
/// </summary>
internal sealed class TeachingNovelty
{
    private readonly NoveltyMethod _method;
    private readonly double _threshold;
    private readonly NoveltyIndex? _rouge;
    private readonly MinHashDeduplicator? _minHash;
    private readonly List<ulong[]> _signatures = [];

    public TeachingNovelty(NoveltyMethod method, double threshold)
    {
        _method = method;
        _threshold = threshold;
        if (method == NoveltyMethod.RougeL) _rouge = new NoveltyIndex(threshold, maxDegreeOfParallelism: 1);
        else _minHash = new MinHashDeduplicator(Math.Max(threshold, 1e-6));
    }

    public void Add(string text)
    {
        if (_rouge != null) _rouge.Add(text);
        else _signatures.Add(_minHash!.Signature(text));
    }

    /// <summary>Null when novel, else how similar it is to what (for the rejection record).</summary>
    public double? Similarity(string text)
    {
        if (_rouge != null)
        {
            var d = _rouge.Check(text);
            return d.Kept ? null : d.MaxFMeasure;
        }
        var sig = _minHash!.Signature(text);
        double best = 0;
        foreach (var s in _signatures) best = Math.Max(best, MinHashDeduplicator.EstimateJaccard(sig, s));
        return best >= _threshold ? best : null;
    }

    public TeachingNovelty NewBatch() => new(_method, _threshold);
}
