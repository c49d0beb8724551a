using System.Text;
using Feynman.Tensors;
using Feynman.Text;

namespace Feynman.Tests.Text;

/// <summary>The allocation-free tokenizer gives exactly what the old one (<see cref="LegacyTokenizer"/>) gave.</summary>
public sealed class FastTokenizerEquivalenceTests
{
    private static readonly Lazy<TextDataset> Corpus = new(() => SpamAssassin.Load());

    public static TheoryData<string> OptionSets => ["default", "teacher", "odd-buckets", "case-kept", "short-words", "words-only", "few-words"];

    private static TokenizerOptions Options(string name) => name switch
    {
        "default" => new TokenizerOptions { MinCount = 2, Buckets = 32768, MinN = 3, MaxN = 5, WordNgrams = 2, MaxWords = 500 },
        "teacher" => new TokenizerOptions { MinCount = 1, Buckets = 262144, MinN = 2, MaxN = 6, WordNgrams = 2, MaxWords = 2000 },
        "odd-buckets" => new TokenizerOptions { MinCount = 3, Buckets = 1000, MinN = 1, MaxN = 3 },
        "case-kept" => new TokenizerOptions { Lowercase = false, Buckets = 4099, MaxVocabulary = 500 },
        "short-words" => new TokenizerOptions { MaxWordLength = 4, Buckets = 2048, MinN = 2, MaxN = 4 },
        "words-only" => new TokenizerOptions { MinCount = 1, Buckets = 0, MaxN = 0, WordNgrams = 1 },
        "few-words" => new TokenizerOptions { MaxWords = 7, Buckets = 512, WordNgrams = 2 },
        _ => throw new ArgumentException(name),
    };

    /// <summary>Hand-picked hard cases and seeded random strings over ASCII, Latin-1, other scripts, symbols and surrogates.</summary>
    private static List<string> HardTexts()
    {
        var texts = new List<string>
        {
            "", " ", "!!!", "FREE money!! $100... abcdefghij, Caf\u00c9", "\u00c9COLE \u0130stanbul \u01c5ungla \u03a3\u039f\u03a6\u0399\u0391 \u0416\u0443\u043a",
            "\u4f60\u597d\u4e16\u754c hello\u4e16", "emoji \ud83d\ude00 inside wo\ud83d\ude00rd", "\u20ac5 \u00a310 50% ?!", "x\u0000y\uffffz \ud800 lone",
            "A1B2C3 0x1F 3.14 e-mail user@example.com http://a.b/c?d=e", new string('A', 300) + " " + new string('\u00e9', 40),
            "\u0660\u0661\u0662 \u0966\u0967 \u2160\u2161 \u00bd \u00b2", "MiXeD CaSe WoRdS and \u1e9e\u00df \u212a\u212b",
        };
        var rng = new Generator(7);
        string alphabet = "abcXYZ019 ,.!?$%\u20ac\u00a3\u00e9\u00c9\u00df\u0130\u03a3\u03c3\u0416\u4f60\u0660\u2160\t\n-_@/";
        for (int t = 0; t < 300; t++)
        {
            var sb = new StringBuilder();
            int n = rng.NextInt(200);
            for (int i = 0; i < n; i++)
            {
                int pick = rng.NextInt(alphabet.Length + 3);
                if (pick < alphabet.Length) sb.Append(alphabet[pick]);
                else if (pick == alphabet.Length) sb.Append("\ud83d\ude00");
                else sb.Append((char)rng.NextInt(0x3000));
            }
            texts.Add(sb.ToString());
        }
        return texts;
    }

    [Theory]
    [MemberData(nameof(OptionSets))]
    public void VocabularyWordsAndFeaturesMatchTheOldTokenizer(string optionSet)
    {
        var options = Options(optionSet);
        var corpus = Corpus.Value.Examples.Select(e => e.Text).ToList();
        var hard = HardTexts();
        var training = corpus.Take(3000).Concat(hard).ToList();
        var fast = TextTokenizer.Build(training, options);
        var legacyVocabulary = LegacyTokenizer.BuildVocabulary(training, options);
        Assert.Equal(legacyVocabulary, fast.Vocabulary);
        Assert.True(fast.VocabularySize > 10, $"{optionSet}: vocabulary of {fast.VocabularySize}");
        var legacy = new LegacyTokenizer(legacyVocabulary, options);
        var index = legacyVocabulary.Select((w, i) => (w, i)).ToDictionary(x => x.w, x => x.i, StringComparer.Ordinal);
        int compared = 0;
        var ids = new int[options.MaxWords];
        foreach (var text in corpus.Concat(hard))
        {
            var expected = legacy.Features(text);
            var actual = fast.Features(text);
            if (!expected.SequenceEqual(actual))
                Assert.Fail($"{optionSet}: features differ for text #{compared} ({text.Length} chars, starting '{text[..Math.Min(60, text.Length)]}')");
            var words = LegacyTokenizer.Words(text, options);
            Assert.Equal(words, fast.Words(text));
            int n = fast.WordIds(text, ids);
            Assert.Equal(words.Count, n);
            for (int i = 0; i < n; i++) Assert.Equal(index.TryGetValue(words[i], out int k) ? k : -1, ids[i]);
            compared++;
        }
        Assert.Equal(corpus.Count + hard.Count, compared);
    }

    [Theory]
    [MemberData(nameof(OptionSets))]
    public void WordVisitsExpandToTheSameFeatures(string optionSet)
    {
        var options = Options(optionSet);
        var corpus = Corpus.Value.Examples.Take(400).Select(e => e.Text).Concat(HardTexts()).ToList();
        var tok = TextTokenizer.Build(corpus, options);
        foreach (var text in corpus)
        {
            var expanded = new Expander(tok, []);
            tok.VisitWords(text, ref expanded);
            Assert.Equal(tok.Features(text), expanded.Features);
        }
    }

    [Fact]
    public void UnknownWordsAndDuplicatesInTheVocabulary()
    {
        var tok = TextTokenizer.FromVocabulary(["a", "b", "\u00e9t\u00e9", ""], new TokenizerOptions());
        Assert.Equal(2, tok.WordId("\u00e9t\u00e9"));
        Assert.Equal(3, tok.WordId(""));
        Assert.Equal(-1, tok.WordId("ab"));
        Assert.Equal(-1, tok.WordId("\u00c9t\u00e9"));
        Assert.Throws<ArgumentException>(() => TextTokenizer.FromVocabulary(["a", "b", "a"], new TokenizerOptions()));
        // Many words in a small table: every one found again, through probing past collisions.
        var many = Enumerable.Range(0, 5000).Select(i => $"w{i}").ToArray();
        var big = TextTokenizer.FromVocabulary(many, new TokenizerOptions());
        for (int i = 0; i < many.Length; i++) Assert.Equal(i, big.WordId(many[i]));
        Assert.Equal(-1, big.WordId("w5000"));
    }

    [Fact]
    public void FeatureWalksAllocateNothing()
    {
        var texts = Corpus.Value.Examples.Take(50).Select(e => e.Text).ToList();
        var tok = TextTokenizer.Build(texts, Options("default"));
        var ids = new int[500];
        var counter = new Counter();
        foreach (var t in texts) tok.VisitFeatures(t, ref counter);
        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var t in texts)
        {
            tok.VisitFeatures(t, ref counter);
            tok.WordIds(t, ids);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(counter.Count > 1000);
    }

    private struct Counter : IFeatureVisitor
    {
        public int Count;

        public void Feature(int id) => Count++;
    }

    private readonly struct Expander(TextTokenizer tok, List<int> features) : IWordVisitor
    {
        public List<int> Features { get; } = features;

        public void Word(int id) => Features.AddRange(tok.WordFeatures(id));

        public void Bucket(int bucket) => Features.Add(tok.VocabularySize + bucket);
    }
}
