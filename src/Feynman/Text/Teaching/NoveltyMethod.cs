namespace Feynman.Text.Teaching;

/// <summary>How the teaching loop decides that a new example is too close to what it already has.</summary>
public enum NoveltyMethod
{
    /// <summary>ROUGE-L F-measure against every example so far above the threshold (Self-Instruct's filter).</summary>
    RougeL,
    /// <summary>Estimated Jaccard similarity of word-bigram MinHash signatures at or above the threshold.</summary>
    MinHash,
}
