using Feynman.Text;

namespace Feynman.Tests.Text;

/// <summary>
/// The tokenizer as it was before its allocation-free rewrite (char.IsLetterOrDigit and char.ToLowerInvariant per
/// character, a Dictionary lookup per word, each word hashed again for its bigram), kept verbatim as the reference
/// the fast one must match feature for feature.
/// </summary>
internal sealed class LegacyTokenizer
{
    private readonly TokenizerOptions o;
    private readonly Dictionary<string, int> ids = new(StringComparer.Ordinal);

    public LegacyTokenizer(IReadOnlyList<string> vocabulary, TokenizerOptions options)
    {
        o = options;
        for (int i = 0; i < vocabulary.Count; i++) ids.Add(vocabulary[i], i);
    }

    /// <summary>The vocabulary the old Build chose from <paramref name="texts"/>.</summary>
    public static List<string> BuildVocabulary(IEnumerable<string> texts, TokenizerOptions options)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in texts)
            foreach (var w in Words(text, options))
                counts[w] = counts.TryGetValue(w, out int c) ? c + 1 : 1;
        var kept = counts.Where(kv => kv.Value >= options.MinCount)
                         .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
                         .Select(kv => kv.Key);
        if (options.MaxVocabulary > 0) kept = kept.Take(options.MaxVocabulary);
        return [.. kept];
    }

    public static List<string> Words(string text, TokenizerOptions o)
    {
        var result = new List<string>();
        var buffer = new char[o.MaxWordLength];
        int pos = 0;
        while (result.Count < o.MaxWords && NextWord(text, ref pos, buffer, o, out int length))
            result.Add(new string(buffer, 0, length));
        return result;
    }

    public List<int> Features(string text)
    {
        var features = new List<int>();
        int vocabulary = ids.Count;
        uint buckets = (uint)o.Buckets;
        bool ngrams = buckets > 0 && o.MaxN > 0;
        bool bigrams = buckets > 0 && o.WordNgrams > 1;
        var buffer = new char[o.MaxWordLength + 2];
        buffer[0] = '<';
        var word = buffer.AsSpan(1, o.MaxWordLength);
        int pos = 0, taken = 0;
        uint previous = 0;
        while (taken < o.MaxWords && NextWord(text, ref pos, word, o, out int length))
        {
            taken++;
            var w = new string(word[..length]);
            if (ids.TryGetValue(w, out int id)) features.Add(id);
            if (ngrams)
            {
                buffer[length + 1] = '>';
                var bracketed = buffer.AsSpan(0, length + 2);
                for (int start = 0; start + o.MinN <= bracketed.Length; start++)
                {
                    uint h = 2166136261;
                    int end = Math.Min(start + o.MaxN, bracketed.Length - (start == 0 ? 1 : 0));
                    for (int i = start; i < end; i++)
                    {
                        h = Step(h, bracketed[i]);
                        if (i - start + 1 >= o.MinN) features.Add(vocabulary + (int)(h % buckets));
                    }
                }
            }
            if (bigrams)
            {
                uint h = 2166136261;
                foreach (char c in w) h = Step(h, c);
                uint pair = unchecked(previous * 116049371u + h);
                if (taken > 1) features.Add(vocabulary + (int)(pair % buckets));
                previous = h;
            }
        }
        return features;
    }

    private static uint Step(uint h, char c)
    {
        h = unchecked((h ^ (byte)c) * 16777619);
        if (c > 0xff) h = unchecked((h ^ (byte)(c >> 8)) * 16777619);
        return h;
    }

    private static bool NextWord(string text, ref int pos, Span<char> buffer, TokenizerOptions o, out int length)
    {
        length = 0;
        while (pos < text.Length)
        {
            char c = text[pos];
            if (char.IsLetterOrDigit(c))
            {
                int max = Math.Min(buffer.Length, o.MaxWordLength);
                while (pos < text.Length && char.IsLetterOrDigit(text[pos]))
                {
                    if (length < max) buffer[length++] = o.Lowercase ? char.ToLowerInvariant(text[pos]) : text[pos];
                    pos++;
                }
                return true;
            }
            pos++;
            if (c is '!' or '?' or '$' or '€' or '£' or '%')
            {
                buffer[0] = c;
                length = 1;
                return true;
            }
        }
        return false;
    }
}
