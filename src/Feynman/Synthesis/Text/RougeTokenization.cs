namespace Feynman.Synthesis.Text;

/// <summary>How <see cref="RougeTokenizer"/> splits text into tokens.</summary>
public enum RougeTokenization
{
    /// <summary>
    /// Exactly rouge_score's tokenizer without stemmer: Python <c>str.lower()</c>, every character outside
    /// [a-z0-9] becomes a separator. Non-Latin text yields no tokens at all, so it never looks similar to anything.
    /// </summary>
    Reference,

    /// <summary>
    /// Letters, digits and combining marks of every script form tokens (lowercased, invariant culture); each Han, kana,
    /// Thai, Lao, Khmer or Myanmar character is its own token because those scripts do not separate words by spaces.
    /// </summary>
    Unicode,
}
