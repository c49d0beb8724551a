using Feynman.Synthesis.Text;

namespace Feynman.Synthesis.Filters;

/// <summary>
/// The original repositories' loop, kept as the reference that <see cref="NoveltyIndex"/> must agree with: every
/// candidate is scored against every seed and every earlier kept instruction, one pair at a time.
/// </summary>
public static class NaiveNoveltyFilter
{
    /// <summary>Returns, for each candidate in order, whether it is kept.</summary>
    public static bool[] Filter(IReadOnlyList<string> seeds, IReadOnlyList<string> candidates, double threshold = 0.7,
        RougeTokenization tokenization = RougeTokenization.Reference, bool useTable = false)
    {
        var vocab = new TokenVocabulary();
        var kept = seeds.Select(s => vocab.Encode(RougeTokenizer.Tokenize(s, tokenization))).ToList();
        var result = new bool[candidates.Count];
        var pattern = new LcsPattern();
        for (int i = 0; i < candidates.Count; i++)
        {
            var q = vocab.Encode(RougeTokenizer.Tokenize(candidates[i] ?? "", tokenization));
            pattern.Set(q);
            double max = double.NegativeInfinity;
            foreach (var doc in kept)
            {
                int lcs = useTable ? Lcs.LengthByTable(doc, q) : pattern.LcsWith(doc);
                max = Math.Max(max, RougeL.FromLcs(lcs, doc.Length, q.Length).FMeasure);
            }
            // As in the originals: rejected iff max(rouge_scores) > threshold (an empty list keeps everything).
            result[i] = !(max > threshold);
            if (result[i]) kept.Add(q);
        }
        return result;
    }
}
