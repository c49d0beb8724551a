namespace Feynman.Text;

/// <summary>A trained text model as the rest of Feynman sees it: class probabilities for a text.</summary>
public interface ITextClassifier
{
    IReadOnlyList<string> LabelNames { get; }

    /// <summary>Writes softmax probabilities (length LabelNames.Count) for <paramref name="text"/>.</summary>
    void PredictProbabilities(string text, Span<float> probabilities);
}
