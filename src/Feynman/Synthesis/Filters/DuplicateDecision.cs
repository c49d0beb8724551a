namespace Feynman.Synthesis.Filters;

/// <summary>MinHash verdict on one text: kept, or a near-duplicate of the earlier kept text <see cref="DuplicateOf"/>.</summary>
public readonly record struct DuplicateDecision(bool Kept, int DuplicateOf, double EstimatedJaccard);
