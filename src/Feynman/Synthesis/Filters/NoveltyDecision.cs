namespace Feynman.Synthesis.Filters;

/// <summary>
/// The novelty filter's verdict on one instruction. <see cref="MostSimilar"/> is the index (in the
/// <see cref="NoveltyIndex"/>) of the instruction that rejected it, or for a kept one the most similar instruction
/// among the pairs that could have exceeded the threshold (-1 when pruning proved none could).
/// </summary>
public readonly record struct NoveltyDecision(bool Kept, int MostSimilar, double MaxFMeasure, int PairsScored);
