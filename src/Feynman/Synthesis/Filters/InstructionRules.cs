using System.Text.RegularExpressions;

namespace Feynman.Synthesis.Filters;

/// <summary>
/// The heuristic instruction filters of yizhongw/self-instruct (bootstrap_instructions.py) and tatsu-lab/stanford_alpaca
/// (generate_instruction.py): word count, keyword blacklist (whole words, any case), "Write a program", leading
/// punctuation, non-ASCII first character. Each returns the rejection reason, or null when the instruction passes.
/// </summary>
public static class InstructionRules
{
    public static readonly IReadOnlyList<string> SelfInstructBlacklist =
        ["image", "images", "graph", "graphs", "picture", "pictures", "file", "files", "map", "maps", "draw", "plot", "go to"];

    public static readonly IReadOnlyList<string> AlpacaBlacklist =
        ["image", "images", "graph", "graphs", "picture", "pictures", "file", "files", "map", "maps", "draw", "plot", "go to",
         "video", "audio", "music", "flowchart", "diagram"];

    private const string Punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"; // Python's string.punctuation

    private static readonly Dictionary<string, Regex> WordPatterns = new();
    private static readonly Lock PatternLock = new();

    /// <summary>The reason <paramref name="instruction"/> is rejected, or null; checks run in the originals' order.</summary>
    public static string? Check(string instruction, IReadOnlyList<string> blacklist)
    {
        if (instruction.Length == 0) return "empty";
        int words = instruction.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        if (words <= 3) return "too_short";
        if (words > 150) return "too_long";
        foreach (var w in blacklist)
            if (WordPattern(w).IsMatch(instruction)) return "blacklist:" + w;
        if (instruction.StartsWith("Write a program", StringComparison.Ordinal)) return "write_a_program";
        if (Punctuation.Contains(instruction[0])) return "starts_with_punctuation";
        if (instruction[0] > 127) return "non_ascii_start";
        return null;
    }

    // find_word_in_string: re.compile(r'\b({0})\b'.format(w), flags=re.IGNORECASE).search(s)
    private static Regex WordPattern(string word)
    {
        lock (PatternLock)
        {
            if (!WordPatterns.TryGetValue(word, out var r))
                WordPatterns[word] = r = new Regex(@"\b(" + Regex.Escape(word) + @")\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
            return r;
        }
    }

    /// <summary>Python's <c>re.sub(r"\s+", " ", s).strip()</c>.</summary>
    public static string CollapseWhitespace(string s) => Regex.Replace(s, @"\s+", " ").Trim();

    /// <summary>Python's <c>str.capitalize()</c>: first character upper case, the rest lower case.</summary>
    public static string Capitalize(string s) =>
        s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();
}
