using Feynman.Text;

namespace Feynman.Tests.Text;

public sealed class TextTokenizerTests
{
    [Fact]
    public void HashIsFnv1aAndStable()
    {
        // FNV-1a 32-bit reference values for ASCII strings (the same as over their bytes).
        Assert.Equal(0x811C9DC5u, TextTokenizer.Hash(""));
        Assert.Equal(0xE40C292Cu, TextTokenizer.Hash("a"));
        Assert.Equal(0x1A47E90Bu, TextTokenizer.Hash("abc"));
        Assert.NotEqual(TextTokenizer.Hash("\u4f60"), TextTokenizer.Hash("\u0060"));
    }

    [Fact]
    public void WordsAreLowerCasedCutAndSymbolsKept()
    {
        var tok = TextTokenizer.Build(["x"], new TokenizerOptions { MinCount = 1, MaxWordLength = 5 });
        Assert.Equal(["free", "money", "!", "$", "100", "abcde", "caf\u00e9"], tok.Words("FREE money!! $100... abcdefghij, Caf\u00c9").Where((w, i) => i != 3));
        Assert.Equal(8, tok.Words("FREE money!! $100... abcdefghij, Caf\u00c9").Count);
    }

    [Fact]
    public void VocabularyIsOrderedByCountThenOrdinallyAndHonoursMinCount()
    {
        var tok = TextTokenizer.Build(["b a a c", "B d", "a"], new TokenizerOptions { MinCount = 2 });
        Assert.Equal(["a", "b"], tok.Vocabulary);
        Assert.Equal(0, tok.WordId("a"));
        Assert.Equal(-1, tok.WordId("c"));
    }

    [Fact]
    public void FeaturesAreDeterministicAndInRange()
    {
        var texts = new[] { "the cat sat", "the dog sat down", "a cat!" };
        var options = new TokenizerOptions { MinCount = 1, Buckets = 1000, MinN = 3, MaxN = 4, WordNgrams = 2 };
        var a = TextTokenizer.Build(texts, options);
        var b = TextTokenizer.Build(texts.Reverse(), options);
        Assert.Equal(a.Vocabulary, b.Vocabulary);
        var fa = a.Features("The cat sat on the mat");
        Assert.Equal(fa, b.Features("The cat sat on the mat"));
        Assert.All(fa, id => Assert.InRange(id, 0, a.FeatureCount - 1));
        // One word "cat": its id, then the n-grams of "<cat>" of length 3 (3) and 4 (2); no bigram for one word.
        var single = a.Features("cat");
        Assert.Equal(1 + 3 + 2, single.Length);
        Assert.Equal(a.WordId("cat"), single[0]);
        // Two words add one bigram.
        Assert.Equal(single.Length + 1 + 3 + 2 + 1, a.Features("cat cat").Length);
        // A word outside the vocabulary still has its n-grams.
        Assert.Equal(3 + 2, a.Features("zzz").Length - 0 - (a.WordId("zzz") >= 0 ? 1 : 0));
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(1024)]
    public void NgramIdsAreTheirFnvHashModuloTheBuckets(int buckets)
    {
        var tok = TextTokenizer.Build(["cat"], new TokenizerOptions { MinCount = 100, Buckets = buckets, MinN = 3, MaxN = 4, WordNgrams = 1 });
        Assert.Equal(0, tok.VocabularySize);
        string[] grams = ["<ca", "<cat", "cat", "cat>", "at>"];
        Assert.Equal(grams.Select(g => (int)(TextTokenizer.Hash(g) % (uint)buckets)), tok.Features("Cat"));
        var two = TextTokenizer.Build(["x"], new TokenizerOptions { MinCount = 100, Buckets = buckets, MaxN = 0, WordNgrams = 2 });
        Assert.Equal([(int)(unchecked(TextTokenizer.Hash("a") * 116049371u + TextTokenizer.Hash("b")) % (uint)buckets)], two.Features("a b"));
    }

    [Fact]
    public void JsonRoundTripKeepsFeatures()
    {
        var tok = TextTokenizer.Build(["hello world", "hello there"], new TokenizerOptions { MinCount = 1, Buckets = 512 });
        var back = TextTokenizer.FromJson(tok.ToJson());
        Assert.Equal(tok.Vocabulary, back.Vocabulary);
        Assert.Equal(tok.Features("hello there world"), back.Features("hello there world"));
    }

    [Fact]
    public void WordIdsMarkUnknownWordsAndStopAtTheBuffer()
    {
        var tok = TextTokenizer.Build(["a b", "a b"], new TokenizerOptions { MinCount = 2, Buckets = 0, MaxN = 0, WordNgrams = 1 });
        var ids = new int[3];
        Assert.Equal(3, tok.WordIds("b x a a a", ids));
        Assert.Equal([tok.WordId("b"), -1, tok.WordId("a")], ids);
    }

    [Fact]
    public void BadOptionsAreNamed()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => TextTokenizer.Build(["x"], new TokenizerOptions { MinN = 4, MaxN = 3 }));
        Assert.Contains("min_n", ex.Message);
    }
}
