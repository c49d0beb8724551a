namespace Feynman.Synthesis.Text;

/// <summary>
/// ROUGE-L (longest common subsequence of tokens) with the exact floating-point arithmetic of rouge_score's
/// <c>_score_lcs</c> and <c>scoring.fmeasure</c>, so scores compare bit for bit with the Python package.
/// </summary>
public static class RougeL
{
    public static RougeScore Score(string target, string prediction, RougeTokenization mode = RougeTokenization.Reference)
    {
        var vocab = new TokenVocabulary();
        var t = vocab.Encode(RougeTokenizer.Tokenize(target, mode));
        var p = vocab.Encode(RougeTokenizer.Tokenize(prediction, mode));
        return FromLcs(Lcs.Length(t, p), t.Length, p.Length);
    }

    /// <summary>The score from an LCS length, in rouge_score's order of operations.</summary>
    public static RougeScore FromLcs(int lcs, int targetLength, int predictionLength)
    {
        if (targetLength == 0 || predictionLength == 0) return new RougeScore(0, 0, 0);
        double precision = (double)lcs / predictionLength;
        double recall = (double)lcs / targetLength;
        return new RougeScore(precision, recall, FMeasure(precision, recall));
    }

    /// <summary><c>2 * precision * recall / (precision + recall)</c>, evaluated left to right as Python does.</summary>
    public static double FMeasure(double precision, double recall) =>
        precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
}
