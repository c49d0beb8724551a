namespace Feynman.Text;

/// <summary>
/// Receives a text's features a word at a time from <see cref="TextTokenizer.VisitWords"/>: a vocabulary word as
/// its id (standing for the id and its character n-grams, <see cref="TextTokenizer.WordFeatures"/>), and every
/// other feature (an unknown word's n-grams, a bigram) as its hash bucket. A struct visitor is inlined.
/// </summary>
public interface IWordVisitor
{
    /// <summary>A vocabulary word.</summary>
    void Word(int id);

    /// <summary>A hashed feature, in [0, Buckets): its embedding row is VocabularySize + bucket.</summary>
    void Bucket(int bucket);
}
