using System.Text;

namespace Feynman.Text.Labelling;

/// <summary>
/// Maps a teacher's free-text answer, or one token of it, to a label of the label set. Answers are compared after
/// normalising case, surrounding quotes and punctuation, a leading "label:", and '_'/'-' as spaces; "Spam." and
/// "**spam**" are spam, "I think spam" is not a label.
/// </summary>
public sealed class LabelMatcher
{
    private readonly string[] _normalised;

    public LabelMatcher(IReadOnlyList<string> labelNames)
    {
        if (labelNames.Count < 2) throw new ArgumentException($"a label set needs at least two labels, got {labelNames.Count}.", nameof(labelNames));
        LabelNames = labelNames;
        _normalised = labelNames.Select(Normalise).ToArray();
        for (int i = 0; i < _normalised.Length; i++)
        {
            if (_normalised[i].Length == 0) throw new ArgumentException($"label {i} ('{labelNames[i]}') is empty.", nameof(labelNames));
            for (int j = 0; j < i; j++)
                if (_normalised[i] == _normalised[j]) throw new ArgumentException($"labels '{labelNames[j]}' and '{labelNames[i]}' are the same after normalisation.", nameof(labelNames));
        }
    }

    public IReadOnlyList<string> LabelNames { get; }

    /// <summary>The label index the answer names, or -1.</summary>
    public int Match(string? answer)
    {
        if (answer is null) return -1;
        var n = Normalise(answer);
        if (n.StartsWith("label ", StringComparison.Ordinal)) n = n["label ".Length..];
        int i = Array.IndexOf(_normalised, n);
        if (i >= 0) return i;
        // A label on the first line followed by an explanation ("spam\nbecause ...").
        int nl = answer.IndexOfAny(['\n', '\r']);
        return nl > 0 ? Array.IndexOf(_normalised, Normalise(answer[..nl])) : -1;
    }

    /// <summary>The one label whose normalised name starts with this token's normalised text (a first token such as
    /// "Sp" or " spam"); -1 when none, when it is empty (whitespace, a quote) or when several labels share it.</summary>
    public int MatchTokenPrefix(string token)
    {
        var n = Normalise(token);
        if (n.Length == 0) return -1;
        int found = -1;
        for (int i = 0; i < _normalised.Length; i++)
        {
            if (!_normalised[i].StartsWith(n, StringComparison.Ordinal)) continue;
            if (found >= 0) return -1;
            found = i;
        }
        return found;
    }

    /// <summary>True when the token carries no label text (whitespace, quotes, punctuation) and the label starts later.</summary>
    public static bool IsBlankToken(string token) => Normalise(token).Length == 0;

    public static string Normalise(string s)
    {
        var sb = new StringBuilder(s.Length);
        bool space = false;
        foreach (char c0 in s.Trim())
        {
            char c = c0 is '_' or '-' ? ' ' : char.ToLowerInvariant(c0);
            if (char.IsWhiteSpace(c)) { space = sb.Length > 0; continue; }
            if (!char.IsLetterOrDigit(c) && c != ':' ) continue;
            if (space) sb.Append(' ');
            space = false;
            sb.Append(c);
        }
        var r = sb.ToString();
        if (r.StartsWith("label:", StringComparison.Ordinal)) r = r["label:".Length..].TrimStart();
        return r.Replace(":", "", StringComparison.Ordinal).Trim();
    }
}
