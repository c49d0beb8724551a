namespace Feynman.Paradigms.ActiveLearning;

/// <summary>The query strategies by the names recipes use.</summary>
public static class QueryStrategies
{
    public static IReadOnlyList<string> Names { get; } = ["random", "least-confidence", "margin", "entropy", "bald", "coreset", "margin-clusters"];

    /// <summary>A strategy by name; <paramref name="monteCarloPasses"/> is BALD's T.</summary>
    public static IQueryStrategy Create(string name, int monteCarloPasses = 10) => name switch
    {
        "random" => new RandomStrategy(),
        "least-confidence" => new LeastConfidenceStrategy(),
        "margin" => new MarginStrategy(),
        "entropy" => new EntropyStrategy(),
        "bald" => new BaldStrategy(monteCarloPasses),
        "coreset" => new CoreSetStrategy(),
        "margin-clusters" => new MarginClustersStrategy(),
        _ => throw new ArgumentException($"unknown query strategy '{name}'; known: {string.Join(", ", Names)}.", nameof(name)),
    };
}
