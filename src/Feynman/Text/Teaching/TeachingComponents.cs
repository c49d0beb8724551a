namespace Feynman.Text.Teaching;

/// <summary>
/// Registries by name of what a teaching recipe can use: data sources, students, labellers and example writers. The
/// text and generation work registers its own ("spam-assassin", "fasttext", "transformer", the local generator as
/// writer "local", the large text model as labeller "local"); "jsonl" data is built in, and "llm" labeller and writer
/// are built by the runner from the endpoint. Names are case-insensitive; registering a name again replaces it.
/// </summary>
public static class TeachingComponents
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, Func<TeachContext, TeachingData>> DataSources = new(StringComparer.OrdinalIgnoreCase)
    {
        ["jsonl"] = JsonlTextSource.Open,
    };
    private static readonly Dictionary<string, Func<TeachContext, ITextStudentTrainer>> Students = new(StringComparer.OrdinalIgnoreCase);
    private static readonly Dictionary<string, Func<TeachContext, ITextLabeler>> Labelers = new(StringComparer.OrdinalIgnoreCase);
    private static readonly Dictionary<string, Func<TeachContext, IExampleWriter>> Writers = new(StringComparer.OrdinalIgnoreCase);

    public static void RegisterData(string name, Func<TeachContext, TeachingData> factory) => Set(DataSources, name, factory);
    public static void RegisterStudent(string name, Func<TeachContext, ITextStudentTrainer> factory) => Set(Students, name, factory);
    public static void RegisterLabeler(string name, Func<TeachContext, ITextLabeler> factory) => Set(Labelers, name, factory);
    public static void RegisterWriter(string name, Func<TeachContext, IExampleWriter> factory) => Set(Writers, name, factory);

    public static IReadOnlyList<string> DataNames => Names(DataSources);
    public static IReadOnlyList<string> StudentNames => Names(Students);
    public static IReadOnlyList<string> LabelerNames => Names(Labelers);
    public static IReadOnlyList<string> WriterNames => Names(Writers);

    public static TeachingData CreateData(TeachContext c) => Get(DataSources, "data source", c.Component.Name)(c);
    public static ITextStudentTrainer CreateStudent(TeachContext c) => Get(Students, "student", c.Component.Name)(c);
    public static ITextLabeler CreateLabeler(TeachContext c) => Get(Labelers, "labeller", c.Component.Name)(c);
    public static IExampleWriter CreateWriter(TeachContext c) => Get(Writers, "writer", c.Component.Name)(c);

    private static void Set<T>(Dictionary<string, T> registry, string name, T factory)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("a registered name must not be empty.", nameof(name));
        lock (Gate) registry[name] = factory;
    }

    private static IReadOnlyList<string> Names<T>(Dictionary<string, T> registry)
    {
        lock (Gate) return [.. registry.Keys.Order(StringComparer.OrdinalIgnoreCase)];
    }

    private static T Get<T>(Dictionary<string, T> registry, string what, string name)
    {
        lock (Gate)
        {
            if (registry.TryGetValue(name, out var f)) return f;
            var known = registry.Keys.Order(StringComparer.OrdinalIgnoreCase).ToList();
            string hint = what is "labeller" or "writer" ? " With --teacher-url and --teacher-model (or teach.endpoint) the LLM is used instead." : "";
            throw new InvalidDataException($"no {what} named '{name}' is registered (known: {(known.Count == 0 ? "none yet" : string.Join(", ", known))}).{hint}");
        }
    }
}
