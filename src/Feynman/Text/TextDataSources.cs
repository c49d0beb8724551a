namespace Feynman.Text;

/// <summary>Named text corpora for recipes and commands ("spam-assassin"); others can be registered.</summary>
public static class TextDataSources
{
    private static readonly Lock SourcesLock = new();
    private static readonly Dictionary<string, Func<TextDataset>> Sources = new(StringComparer.Ordinal)
    {
        [SpamAssassin.SourceName] = () => SpamAssassin.Load(),
    };
    private static readonly Dictionary<string, TextDataset> Cache = new(StringComparer.Ordinal);

    public static IReadOnlyCollection<string> Names
    {
        get { lock (SourcesLock) return [.. Sources.Keys]; }
    }

    public static void Register(string name, Func<TextDataset> open)
    {
        lock (SourcesLock)
        {
            Sources[name] = open;
            Cache.Remove(name);
        }
    }

    /// <summary>The named corpus, loaded once per process.</summary>
    public static TextDataset Open(string name)
    {
        Func<TextDataset>? open;
        lock (SourcesLock)
        {
            if (Cache.TryGetValue(name, out var cached)) return cached;
            if (!Sources.TryGetValue(name, out open))
                throw new ArgumentException($"unknown text data source '{name}'; known sources: {string.Join(", ", Sources.Keys.Order())}.", nameof(name));
        }
        var data = open();
        lock (SourcesLock) Cache[name] = data;
        return data;
    }
}
