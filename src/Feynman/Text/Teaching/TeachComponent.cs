namespace Feynman.Text.Teaching;

/// <summary>A named, registered part of a teaching recipe (data source, student, labeller, writer) with its options
/// as written in the recipe (<c>student: fasttext</c> or <c>student: {name: fasttext, epochs: 5}</c>).</summary>
public sealed record TeachComponent(string Name, IReadOnlyDictionary<string, string> Options)
{
    public static TeachComponent Named(string name) => new(name, new Dictionary<string, string>());

    public string? Get(string key) => Options.TryGetValue(key, out var v) ? v : null;

    public int GetInt(string key, int fallback) => Options.TryGetValue(key, out var v)
        ? int.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out int i) ? i
          : throw new ArgumentException($"{Name}: option '{key}' must be a whole number, got '{v}'.")
        : fallback;

    public double GetDouble(string key, double fallback) => Options.TryGetValue(key, out var v)
        ? double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double d) ? d
          : throw new ArgumentException($"{Name}: option '{key}' must be a number, got '{v}'.")
        : fallback;
}
