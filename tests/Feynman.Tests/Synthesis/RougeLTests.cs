using Feynman.Synthesis.Text;
using Feynman.Tests.Support;

namespace Feynman.Tests.Synthesis;

public class RougeLTests
{
    [Fact]
    public void ScoresEqualRougeScoreReferenceBitForBit()
    {
        var fixture = Fixture.Load("synthesis/rouge_l.json");
        Assert.True(fixture.Cases.Count > 100);
        foreach (var c in fixture.Cases)
        {
            string target = c.Params.GetProperty("target").GetString()!;
            string prediction = c.Params.GetProperty("prediction").GetString()!;
            var expectedTarget = c.Params.GetProperty("target_tokens").EnumerateArray().Select(e => e.GetString()!).ToList();
            Assert.Equal(expectedTarget, RougeTokenizer.Tokenize(target));
            var s = RougeL.Score(target, prediction);
            Assert.True(c.Params.GetProperty("precision").GetDouble() == s.Precision, $"{c.Name}: precision {s.Precision}");
            Assert.True(c.Params.GetProperty("recall").GetDouble() == s.Recall, $"{c.Name}: recall {s.Recall}");
            Assert.True(c.Params.GetProperty("fmeasure").GetDouble() == s.FMeasure, $"{c.Name}: fmeasure {s.FMeasure:R}");
        }
    }

    [Fact]
    public void ReferenceTokenizerDropsNonLatinTextAndUnicodeModeKeepsIt()
    {
        Assert.Empty(RougeTokenizer.Tokenize("写一首关于大海的诗"));
        Assert.Equal(["写", "一", "首", "关", "于", "大", "海", "的", "诗"], RougeTokenizer.Tokenize("写一首关于大海的诗", RougeTokenization.Unicode));
        Assert.Equal(["naïve", "résumé", "σίσυφος", "2"], RougeTokenizer.Tokenize("Naïve RÉSUMÉ, Σίσυφος-2!", RougeTokenization.Unicode));
        Assert.Equal(1.0, RougeL.Score("写一首诗", "写一首诗", RougeTokenization.Unicode).FMeasure);
        Assert.Equal(0.0, RougeL.Score("写一首诗", "写一首诗").FMeasure);
    }

    [Theory]
    [InlineData(5, 7, 3)]
    [InlineData(70, 90, 6)]
    [InlineData(130, 200, 4)]
    [InlineData(300, 10, 20)]
    public void BitParallelLcsEqualsTable(int la, int lb, int alphabet)
    {
        var rng = new Random(la * 1000 + lb);
        for (int trial = 0; trial < 40; trial++)
        {
            var a = Enumerable.Range(0, rng.Next(la + 1)).Select(_ => rng.Next(alphabet)).ToArray();
            var b = Enumerable.Range(0, rng.Next(lb + 1)).Select(_ => rng.Next(alphabet * 2)).ToArray();
            Assert.Equal(Lcs.LengthByTable(a, b), Lcs.Length(a, b));
            Assert.Equal(Lcs.LengthByTable(b, a), Lcs.Length(b, a));
        }
    }

    [Fact]
    public void FMeasureIsSymmetricInTargetAndPrediction()
    {
        var rng = new Random(3);
        string[] words = ["a", "b", "c", "d", "e"];
        for (int i = 0; i < 200; i++)
        {
            string x = string.Join(' ', Enumerable.Range(0, rng.Next(1, 15)).Select(_ => words[rng.Next(5)]));
            string y = string.Join(' ', Enumerable.Range(0, rng.Next(1, 15)).Select(_ => words[rng.Next(5)]));
            Assert.Equal(RougeL.Score(x, y).FMeasure, RougeL.Score(y, x).FMeasure);
        }
    }
}
