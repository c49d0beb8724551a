namespace Feynman.Paradigms.ActiveLearning;

/// <summary>
/// Decides which unlabelled samples to ask an oracle about next (batch mode: <c>count</c> at a time).
/// Implementations are deterministic given the context's generator; ties go to the lower pool index.
/// </summary>
public interface IQueryStrategy
{
    /// <summary>The name recipes use, e.g. "margin".</summary>
    string Name { get; }

    /// <summary>Up to <paramref name="count"/> distinct pool indices taken from <see cref="QueryContext.Candidates"/>, most wanted first.</summary>
    int[] Select(QueryContext context, int count);
}
