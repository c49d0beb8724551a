using System.Globalization;
using System.Text;

namespace Feynman.Synthesis.Text;

/// <summary>The tokenizer behind <see cref="RougeL"/>; the reference mode matches rouge_score's <c>tokenize(text, None)</c>.</summary>
public static class RougeTokenizer
{
    public static List<string> Tokenize(string text, RougeTokenization mode = RougeTokenization.Reference)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<string>();
        var current = new StringBuilder();
        void Flush()
        {
            if (current.Length > 0) { tokens.Add(current.ToString()); current.Clear(); }
        }
        if (mode == RougeTokenization.Reference)
        {
            foreach (char c in text)
            {
                if (c is >= 'a' and <= 'z' or >= '0' and <= '9') current.Append(c);
                else if (c is >= 'A' and <= 'Z') current.Append((char)(c + 32));
                // Python's str.lower() maps exactly two non-ASCII code points to ASCII alphanumerics:
                // U+0130 to "i" + U+0307 (the combining dot then separates) and the Kelvin sign U+212A to "k".
                else if (c == '\u0130') { current.Append('i'); Flush(); }
                else if (c == '\u212A') current.Append('k');
                else Flush();
            }
            Flush();
            return tokens;
        }

        for (int i = 0; i < text.Length;)
        {
            var rune = Rune.GetRuneAt(text, i);
            i += rune.Utf16SequenceLength;
            var cat = Rune.GetUnicodeCategory(rune);
            bool word = Rune.IsLetterOrDigit(rune) || cat is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
                or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber;
            if (!word) { Flush(); continue; }
            if (IsUnsegmentedScript(rune.Value))
            {
                Flush();
                tokens.Add(Rune.ToLowerInvariant(rune).ToString());
                continue;
            }
            current.Append(Rune.ToLowerInvariant(rune).ToString());
        }
        Flush();
        return tokens;
    }

    // Scripts written without spaces between words: one token per character keeps ROUGE meaningful for them.
    private static bool IsUnsegmentedScript(int cp) =>
        cp is >= 0x3040 and <= 0x30FF            // Hiragana, Katakana
            or >= 0x3400 and <= 0x4DBF           // CJK Extension A
            or >= 0x4E00 and <= 0x9FFF           // CJK Unified Ideographs
            or >= 0xF900 and <= 0xFAFF           // CJK Compatibility Ideographs
            or >= 0x20000 and <= 0x3FFFF         // CJK Extensions B-H
            or >= 0x0E00 and <= 0x0EFF           // Thai, Lao
            or >= 0x1000 and <= 0x109F           // Myanmar
            or >= 0x1780 and <= 0x17FF           // Khmer
            or >= 0xFF66 and <= 0xFF9F;          // half-width Katakana
}
