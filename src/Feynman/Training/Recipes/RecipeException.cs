namespace Feynman.Training.Recipes;

/// <summary>A recipe or model file that cannot be used, with the place (file, line, column) and the reason.</summary>
public sealed class RecipeException : Exception
{
    public RecipeException(string reason, string? file, int line, int column)
        : base($"{file ?? "recipe"}{(line > 0 ? $":{line}:{column}" : "")}: {reason}")
    {
        Reason = reason;
        File = file;
        Line = line;
        Column = column;
    }

    /// <summary>What is wrong, without the place.</summary>
    public string Reason { get; }

    public string? File { get; }

    /// <summary>1-based line, 0 when the problem has no single place (a missing section).</summary>
    public int Line { get; }

    public int Column { get; }
}
