using System.Text.Json;

namespace Feynman.Text;

/// <summary>
/// fastText-style tokenization. Words are runs of letters and digits (lower-cased, cut at MaxWordLength) and the
/// single characters ! ? $ € £ %; the vocabulary holds training words seen at least MinCount times, ordered by
/// count then ordinally (so the same texts give the same ids). A text's features are its vocabulary words'
/// ids, then hashed ids (FNV-1a, not string.GetHashCode, so they are stable across processes) for the
/// character n-grams of "&lt;word&gt;" and for word bigrams, in [VocabularySize, VocabularySize + Buckets).
/// Nothing allocates per text on the visiting paths: ASCII is classified and lower-cased through a table, each
/// word's FNV-1a hash is computed while it is copied, and that one hash both finds the word in an open-addressing
/// table of the vocabulary and makes its bigram.
/// </summary>
public sealed class TextTokenizer
{
    private readonly string[] words;
    // Open addressing, linear probing, at most half full: a slot holds a word's FNV-1a hash (high 32 bits) and its
    // id + 1 (low 32 bits; 0: empty), so most probes read one slot; the word's characters sit in one pool.
    private readonly ulong[] slots;
    private readonly int slotMask;
    private readonly char[] pool;
    private readonly int[] starts;

    private TextTokenizer(TokenizerOptions options, string[] words)
    {
        options.Validate();
        Options = options;
        this.words = words;
        starts = new int[words.Length + 1];
        for (int i = 0; i < words.Length; i++) starts[i + 1] = starts[i] + words[i].Length;
        pool = new char[starts[^1]];
        for (int i = 0; i < words.Length; i++) words[i].CopyTo(pool.AsSpan(starts[i]));
        int capacity = 16;
        while (capacity < 2 * words.Length) capacity *= 2;
        slots = new ulong[capacity];
        slotMask = capacity - 1;
        for (int i = 0; i < words.Length; i++)
        {
            uint h = Hash(words[i]);
            if (Find(words[i], h) >= 0) throw new ArgumentException($"the vocabulary holds '{words[i]}' twice.", nameof(words));
            int slot = (int)(h & (uint)slotMask);
            while (slots[slot] != 0) slot = (slot + 1) & slotMask;
            slots[slot] = (ulong)h << 32 | (uint)(i + 1);
        }
    }

    public TokenizerOptions Options { get; }

    /// <summary>The vocabulary, by id.</summary>
    public IReadOnlyList<string> Vocabulary => words;

    public int VocabularySize => words.Length;

    /// <summary>Vocabulary ids plus hash buckets: the rows an embedding table over <see cref="VisitFeatures"/> needs.</summary>
    public int FeatureCount => words.Length + (Options.HasHashedFeatures ? Options.Buckets : 0);

    /// <summary>Builds the vocabulary from <paramref name="texts"/> (the training texts).</summary>
    public static TextTokenizer Build(IEnumerable<string> texts, TokenizerOptions? options = null)
    {
        options ??= new TokenizerOptions();
        options.Validate();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var alt = counts.GetAlternateLookup<ReadOnlySpan<char>>();
        Span<char> buffer = stackalloc char[options.MaxWordLength];
        foreach (var text in texts)
        {
            int pos = 0, taken = 0;
            while (taken < options.MaxWords && NextWord(text, ref pos, buffer, options.Lowercase, out int length, out _))
            {
                var word = buffer[..length];
                alt[word] = alt.TryGetValue(word, out int c) ? c + 1 : 1;
                taken++;
            }
        }
        var kept = counts.Where(kv => kv.Value >= options.MinCount)
                         .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
                         .Select(kv => kv.Key);
        if (options.MaxVocabulary > 0) kept = kept.Take(options.MaxVocabulary);
        return new TextTokenizer(options, [.. kept]);
    }

    /// <summary>A tokenizer with this exact vocabulary (e.g. read back from <see cref="ToJson"/>).</summary>
    public static TextTokenizer FromVocabulary(IEnumerable<string> vocabulary, TokenizerOptions options)
    {
        var list = vocabulary.ToArray();
        var duplicate = list.GroupBy(w => w, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"the vocabulary holds '{duplicate.Key}' twice.", nameof(vocabulary));
        return new TextTokenizer(options, list);
    }

    /// <summary>The vocabulary id of an already lower-cased word, or -1.</summary>
    public int WordId(ReadOnlySpan<char> word) => Find(word, Hash(word));

    /// <summary>The id of <paramref name="word"/> whose FNV-1a hash is <paramref name="hash"/>, or -1.</summary>
    private int Find(ReadOnlySpan<char> word, uint hash)
    {
        int slot = (int)(hash & (uint)slotMask);
        while (true)
        {
            ulong entry = slots[slot];
            if (entry == 0) return -1;
            if ((uint)(entry >> 32) == hash)
            {
                int id = (int)(uint)entry - 1;
                int start = starts[id];
                if (word.SequenceEqual(pool.AsSpan(start, starts[id + 1] - start))) return id;
            }
            slot = (slot + 1) & slotMask;
        }
    }

    /// <summary>The words of <paramref name="text"/> as this tokenizer reads them (lower-cased, cut, at most MaxWords).</summary>
    public List<string> Words(string text)
    {
        var result = new List<string>();
        Span<char> buffer = stackalloc char[Options.MaxWordLength];
        int pos = 0;
        while (result.Count < Options.MaxWords && NextWord(text, ref pos, buffer, Options.Lowercase, out int length, out _))
            result.Add(new string(buffer[..length]));
        return result;
    }

    /// <summary>
    /// Writes the vocabulary ids of the first words of <paramref name="text"/> into <paramref name="destination"/>
    /// (-1 for a word outside the vocabulary) and returns how many it wrote (at most destination.Length).
    /// </summary>
    public int WordIds(string text, Span<int> destination)
    {
        Span<char> buffer = stackalloc char[Options.MaxWordLength];
        int pos = 0, n = 0;
        int limit = Math.Min(destination.Length, Options.MaxWords);
        while (n < limit && NextWord(text, ref pos, buffer, Options.Lowercase, out int length, out uint hash))
            destination[n++] = Find(buffer[..length], hash);
        return n;
    }

    /// <summary>The features of <paramref name="text"/> as a new array (training; prediction uses <see cref="VisitFeatures"/>).</summary>
    public int[] Features(string text)
    {
        var collector = new FeatureCollector(new List<int>(64));
        VisitFeatures(text, ref collector);
        return [.. collector.Ids];
    }

    /// <summary>
    /// Calls <paramref name="visitor"/> once per feature of <paramref name="text"/>: for each word, its vocabulary
    /// id (when it has one), its character n-grams' buckets, and the bucket of its bigram with the previous word.
    /// </summary>
    public void VisitFeatures<TVisitor>(string text, ref TVisitor visitor) where TVisitor : IFeatureVisitor, allows ref struct
    {
        var o = Options;
        int vocabulary = words.Length;
        uint buckets = (uint)o.Buckets;
        bool ngrams = buckets > 0 && o.MaxN > 0;
        bool bigrams = buckets > 0 && o.WordNgrams > 1;
        // h % buckets equals h & (buckets - 1) for a power of two, without a division per feature.
        uint mask = buckets > 0 && (buckets & (buckets - 1)) == 0 ? buckets - 1 : 0;
        Span<char> buffer = stackalloc char[o.MaxWordLength + 2];
        buffer[0] = '<';
        var word = buffer.Slice(1, o.MaxWordLength);
        int pos = 0, taken = 0;
        uint previous = 0;
        while (taken < o.MaxWords && NextWord(text, ref pos, word, o.Lowercase, out int length, out uint wordHash))
        {
            taken++;
            var w = word[..length];
            int id = Find(w, wordHash);
            if (id >= 0) visitor.Feature(id);
            if (ngrams)
            {
                buffer[length + 1] = '>';
                var bracketed = buffer[..(length + 2)];
                // FNV-1a extends a prefix's hash one character at a time, so each start hashes its n-grams in one pass.
                for (int start = 0; start + o.MinN <= bracketed.Length; start++)
                {
                    uint h = OffsetBasis;
                    int end = Math.Min(start + o.MaxN, bracketed.Length - (start == 0 ? 1 : 0)); // never the whole "<word>"
                    for (int i = start; i < end; i++)
                    {
                        h = Step(h, bracketed[i]);
                        if (i - start + 1 >= o.MinN) visitor.Feature(vocabulary + (int)(mask != 0 ? h & mask : h % buckets));
                    }
                }
            }
            if (bigrams)
            {
                uint pair = unchecked(previous * 116049371u + wordHash);
                if (taken > 1) visitor.Feature(vocabulary + (int)(mask != 0 ? pair & mask : pair % buckets));
                previous = wordHash;
            }
        }
    }

    /// <summary>
    /// The same features as <see cref="VisitFeatures"/>, a word at a time: a vocabulary word comes as its id alone
    /// (<see cref="IWordVisitor.Word"/>; its character n-grams are those of <see cref="Vocabulary"/>[id], so a
    /// compiled model can keep their sum per word), an unknown word as its n-grams' buckets, and every bigram as its
    /// bucket (<see cref="IWordVisitor.Bucket"/>, in [0, Buckets)). The order of the calls follows the text.
    /// </summary>
    public void VisitWords<TVisitor>(string text, ref TVisitor visitor) where TVisitor : IWordVisitor, allows ref struct
    {
        var o = Options;
        uint buckets = (uint)o.Buckets;
        bool ngrams = buckets > 0 && o.MaxN > 0;
        bool bigrams = buckets > 0 && o.WordNgrams > 1;
        uint mask = buckets > 0 && (buckets & (buckets - 1)) == 0 ? buckets - 1 : 0;
        Span<char> buffer = stackalloc char[o.MaxWordLength + 2];
        buffer[0] = '<';
        var word = buffer.Slice(1, o.MaxWordLength);
        int pos = 0, taken = 0;
        uint previous = 0;
        while (taken < o.MaxWords && NextWord(text, ref pos, word, o.Lowercase, out int length, out uint wordHash))
        {
            taken++;
            int id = Find(word[..length], wordHash);
            if (id >= 0) visitor.Word(id);
            else if (ngrams)
            {
                buffer[length + 1] = '>';
                var bracketed = buffer[..(length + 2)];
                for (int start = 0; start + o.MinN <= bracketed.Length; start++)
                {
                    uint h = OffsetBasis;
                    int end = Math.Min(start + o.MaxN, bracketed.Length - (start == 0 ? 1 : 0));
                    for (int i = start; i < end; i++)
                    {
                        h = Step(h, bracketed[i]);
                        if (i - start + 1 >= o.MinN) visitor.Bucket((int)(mask != 0 ? h & mask : h % buckets));
                    }
                }
            }
            if (bigrams)
            {
                uint pair = unchecked(previous * 116049371u + wordHash);
                if (taken > 1) visitor.Bucket((int)(mask != 0 ? pair & mask : pair % buckets));
                previous = wordHash;
            }
        }
    }

    /// <summary>
    /// The features <see cref="VisitFeatures"/> gives vocabulary word <paramref name="id"/> wherever it occurs, in
    /// its order: the id, then the character n-grams of "&lt;word&gt;" (its bigrams depend on its neighbours).
    /// </summary>
    public int[] WordFeatures(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, words.Length);
        var o = Options;
        var features = new List<int>(32) { id };
        uint buckets = (uint)o.Buckets;
        if (buckets > 0 && o.MaxN > 0)
        {
            var bracketed = ("<" + words[id] + ">").AsSpan();
            for (int start = 0; start + o.MinN <= bracketed.Length; start++)
            {
                uint h = OffsetBasis;
                int end = Math.Min(start + o.MaxN, bracketed.Length - (start == 0 ? 1 : 0));
                for (int i = start; i < end; i++)
                {
                    h = Step(h, bracketed[i]);
                    if (i - start + 1 >= o.MinN) features.Add(words.Length + (int)(h % buckets));
                }
            }
        }
        return [.. features];
    }

    /// <summary>32-bit FNV-1a over the UTF-16 code units: the same value in every process and on every machine.</summary>
    public static uint Hash(ReadOnlySpan<char> s)
    {
        uint h = OffsetBasis;
        foreach (char c in s) h = Step(h, c);
        return h;
    }

    private const uint OffsetBasis = 2166136261;

    /// <summary>One character into an FNV-1a hash: its low byte, and its high byte when there is one.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static uint Step(uint h, char c)
    {
        h = unchecked((h ^ (byte)c) * 16777619);
        if (c > 0xff) h = unchecked((h ^ (byte)(c >> 8)) * 16777619);
        return h;
    }

    // ASCII classes: 0 a separator, 1 a letter or digit, 2 a symbol word (! ? $ %).
    private static readonly byte[] AsciiKind = MakeAsciiKind();

    private static byte[] MakeAsciiKind()
    {
        var kind = new byte[128];
        for (int c = 0; c < 128; c++) kind[c] = char.IsLetterOrDigit((char)c) ? (byte)1 : c is '!' or '?' or '$' or '%' ? (byte)2 : (byte)0;
        return kind;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static bool IsWordChar(char c) => c < 128 ? AsciiKind[c] == 1 : char.IsLetterOrDigit(c);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static char Lower(char c) => c < 128 ? (uint)(c - 'A') <= 'Z' - 'A' ? (char)(c | 0x20) : c : char.ToLowerInvariant(c);

    /// <summary>
    /// Moves <paramref name="pos"/> past the next word of <paramref name="text"/>, writes it (lower-cased, cut to
    /// the buffer) into <paramref name="buffer"/> and gives its FNV-1a hash (that of the written characters).
    /// </summary>
    private static bool NextWord(string text, ref int pos, Span<char> buffer, bool lowercase, out int length, out uint hash)
    {
        length = 0;
        hash = OffsetBasis;
        int p = pos;
        while ((uint)p < (uint)text.Length)
        {
            char c = text[p];
            if (IsWordChar(c))
            {
                int max = buffer.Length;
                do
                {
                    if (length < max)
                    {
                        char l = lowercase ? Lower(c) : c;
                        buffer[length++] = l;
                        hash = Step(hash, l);
                    }
                    p++;
                }
                while ((uint)p < (uint)text.Length && IsWordChar(c = text[p]));
                pos = p;
                return true;
            }
            p++;
            if (c < 128 ? AsciiKind[c] == 2 : c is '€' or '£')
            {
                buffer[0] = c;
                length = 1;
                hash = Step(OffsetBasis, c);
                pos = p;
                return true;
            }
        }
        pos = p;
        return false;
    }

    /// <summary>The options and vocabulary as JSON (saved beside a model's weights).</summary>
    public string ToJson() => JsonSerializer.Serialize(new SavedTokenizer(Options, words), SavedJson);

    public static TextTokenizer FromJson(string json)
    {
        var saved = JsonSerializer.Deserialize<SavedTokenizer>(json, SavedJson) ?? throw new InvalidDataException("empty tokenizer JSON.");
        return FromVocabulary(saved.Vocabulary, saved.Options);
    }

    private sealed record SavedTokenizer(TokenizerOptions Options, string[] Vocabulary);

    private static readonly JsonSerializerOptions SavedJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly struct FeatureCollector(List<int> ids) : IFeatureVisitor
    {
        public List<int> Ids { get; } = ids;

        public void Feature(int id) => Ids.Add(id);
    }
}
