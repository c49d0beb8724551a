namespace Feynman.Text;

/// <summary>A trained text model as the rest of Feynman sees it: class probabilities for a text.</summary>
public interface ITextClassifier
{
    IReadOnlyList<string> LabelNames { get; }

    /// <summary>Writes softmax probabilities (length LabelNames.Count) for <paramref name="text"/>.</summary>
    void PredictProbabilities(string text, Span<float> probabilities);

    /// <summary>
    /// What answers for this model once training is over: the same function, possibly through a faster path
    /// (a fastText model folds its output layer into its embeddings). A snapshot: train more, ask again.
    /// </summary>
    ITextClassifier ForInference() => this;
}
