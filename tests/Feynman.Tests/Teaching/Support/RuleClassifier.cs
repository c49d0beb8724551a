using Feynman.Text;

namespace Feynman.Tests.Teaching.Support;

/// <summary>The "large teacher" of the loop tests: spam when the text mentions prize, money or win (0.9), unsure
/// (0.6 spam) when it says "unsure", undecided (0.5) on "??", ham (0.95) otherwise.</summary>
public sealed class RuleClassifier : ITextClassifier
{
    public IReadOnlyList<string> LabelNames { get; } = ["ham", "spam"];

    public void PredictProbabilities(string text, Span<float> probabilities)
    {
        var t = text.ToLowerInvariant();
        float spam = t.Contains("??") ? 0.5f : t.Contains("unsure") ? 0.6f : t.Contains("prize") || t.Contains("money") || t.Contains("win") ? 0.9f : 0.05f;
        probabilities[0] = 1 - spam;
        probabilities[1] = spam;
    }
}
