namespace Feynman.Data;

/// <summary>
/// Resolves data source names used in recipes and on the command line ("fashion-mnist:train")
/// to datasets. Loaded datasets are cached per (name, folder) for the life of the process.
/// </summary>
public static class DataSources
{
    private static readonly Dictionary<string, Func<string?, IDataset>> Sources = new(StringComparer.Ordinal)
    {
        ["fashion-mnist:train"] = dir => FashionMnist.Load(train: true, dir),
        ["fashion-mnist:test"] = dir => FashionMnist.Load(train: false, dir),
    };

    private static readonly Dictionary<(string, string?), IDataset> Cache = [];
    private static readonly Lock CacheLock = new();

    /// <summary>The names <see cref="Open"/> knows.</summary>
    public static IReadOnlyCollection<string> Names => Sources.Keys;

    /// <summary>Registers another named source (a later paradigm's corpus, a test's synthetic set).</summary>
    public static void Register(string name, Func<string?, IDataset> open)
    {
        lock (CacheLock) Sources[name] = open;
    }

    /// <summary>
    /// Opens the named source; <paramref name="dataDir"/> overrides the default folder (e.g. from --data-dir).
    /// </summary>
    public static IDataset Open(string name, string? dataDir = null)
    {
        Func<string?, IDataset>? open;
        lock (CacheLock)
        {
            if (Cache.TryGetValue((name, dataDir), out var cached)) return cached;
            if (!Sources.TryGetValue(name, out open))
                throw new ArgumentException($"unknown data source '{name}'; known sources: {string.Join(", ", Sources.Keys.Order())}.", nameof(name));
        }
        var dataset = open(dataDir);
        lock (CacheLock)
        {
            // Two callers can load the same source at once (tests run in parallel); the first one stored wins,
            // so every caller gets the same instance.
            if (Cache.TryGetValue((name, dataDir), out var first)) return first;
            Cache[(name, dataDir)] = dataset;
        }
        return dataset;
    }
}
