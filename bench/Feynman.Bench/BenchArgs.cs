using System.Globalization;

namespace Feynman.Bench;

/// <summary>--name value options (and bare --flag switches) of a bench subcommand.</summary>
public sealed class BenchArgs
{
    private readonly Dictionary<string, string?> values = new(StringComparer.Ordinal);

    public static BenchArgs Parse(string[] args)
    {
        var parsed = new BenchArgs();
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
                throw new ArgumentException($"unexpected argument '{args[i]}' (options look like --name value).");
            string name = args[i][2..];
            string? value = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
            parsed.values[name] = value;
        }
        return parsed;
    }

    public bool Flag(string name) => values.ContainsKey(name);

    public string Get(string name, string fallback) => values.TryGetValue(name, out var v) && v != null ? v : fallback;

    public double Get(string name, double fallback) =>
        values.TryGetValue(name, out var v) && v != null ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
