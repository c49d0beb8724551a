using System.Security.Cryptography;
using System.Text;

namespace Feynman.Text.Teaching;

/// <summary>
/// One teacher-labelled training example of the loop: the text, the teacher's label and probabilities, where it came
/// from (<c>seed</c> or the writer's name), the round from which students train on it, and the hash of its normalised
/// text that keeps it from being counted twice.
/// </summary>
public sealed record TeachingExample(string Id, string Text, int Label, float[]? Probabilities, string Source, int Round, string Hash)
{
    /// <summary>SHA-256 (hex, 16 characters) of the text lower-cased with runs of white space collapsed.</summary>
    public static string HashOf(string text)
    {
        var sb = new StringBuilder(text.Length);
        bool space = false;
        foreach (char c in text.Trim())
        {
            if (char.IsWhiteSpace(c)) { space = true; continue; }
            if (space && sb.Length > 0) sb.Append(' ');
            space = false;
            sb.Append(char.ToLowerInvariant(c));
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..16];
    }

    public TextExample ToTextExample() => new(Id, Text, Label);
}
