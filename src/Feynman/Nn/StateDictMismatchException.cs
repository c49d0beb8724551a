using System.Text;

namespace Feynman.Nn;

/// <summary>A state dict that does not fit a module: every missing key, unexpected key and shape mismatch, listed together.</summary>
public sealed class StateDictMismatchException : Exception
{
    public StateDictMismatchException(string moduleName, IReadOnlyList<string> missingKeys, IReadOnlyList<string> unexpectedKeys, IReadOnlyList<string> shapeMismatches)
        : base(Describe(moduleName, missingKeys, unexpectedKeys, shapeMismatches))
    {
        MissingKeys = missingKeys;
        UnexpectedKeys = unexpectedKeys;
        ShapeMismatches = shapeMismatches;
    }

    public IReadOnlyList<string> MissingKeys { get; }

    public IReadOnlyList<string> UnexpectedKeys { get; }

    /// <summary>One line per key: "name: checkpoint has shape [..], the model has [..]".</summary>
    public IReadOnlyList<string> ShapeMismatches { get; }

    private static string Describe(string module, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> mismatched)
    {
        var sb = new StringBuilder($"Error(s) in loading state dict for {module}:");
        if (missing.Count > 0) sb.Append("\n  Missing key(s): ").Append(string.Join(", ", missing.Select(k => $"\"{k}\"")));
        if (unexpected.Count > 0) sb.Append("\n  Unexpected key(s): ").Append(string.Join(", ", unexpected.Select(k => $"\"{k}\"")));
        foreach (var m in mismatched) sb.Append("\n  Size mismatch for ").Append(m);
        return sb.ToString();
    }
}
