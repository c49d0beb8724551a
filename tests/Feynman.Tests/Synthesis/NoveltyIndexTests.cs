using Feynman.Synthesis.Filters;
using Feynman.Synthesis.Text;

namespace Feynman.Tests.Synthesis;

public class NoveltyIndexTests
{
    // Instructions from a small vocabulary with many near-duplicates, so every rule of the pruning is exercised.
    internal static List<string> RandomInstructions(int n, int seed, int vocabulary = 60)
    {
        var rng = new Random(seed);
        var list = new List<string>();
        string[] punct = [" ", " ", " ", ", ", "? ", "-"];
        for (int i = 0; i < n; i++)
        {
            if (list.Count > 0 && rng.NextDouble() < 0.35)
            {
                // Mutate an earlier instruction: drop, insert or replace a few words.
                var words = list[rng.Next(list.Count)].Split(' ').ToList();
                int edits = rng.Next(1, 4);
                for (int e = 0; e < edits && words.Count > 1; e++)
                {
                    int at = rng.Next(words.Count);
                    switch (rng.Next(3))
                    {
                        case 0: words.RemoveAt(at); break;
                        case 1: words.Insert(at, "w" + rng.Next(vocabulary)); break;
                        default: words[at] = "w" + rng.Next(vocabulary); break;
                    }
                }
                list.Add(string.Join(' ', words));
                continue;
            }
            int len = rng.Next(0, rng.NextDouble() < 0.1 ? 90 : 20);
            var sb = new System.Text.StringBuilder();
            for (int k = 0; k < len; k++)
            {
                // Zipf-like: low word ids are far more common.
                int w = (int)(vocabulary * Math.Pow(rng.NextDouble(), 2.5));
                sb.Append(rng.NextDouble() < 0.1 ? "W" : "w").Append(w).Append(punct[rng.Next(punct.Length)]);
            }
            list.Add(sb.ToString().Trim());
        }
        return list;
    }

    [Theory]
    [InlineData(0.7, 1)]
    [InlineData(0.5, 2)]
    [InlineData(0.9, 3)]
    [InlineData(0.0, 4)]
    [InlineData(1.0, 5)]
    [InlineData(-0.1, 6)]
    [InlineData(0.3, 7)]
    public void ParallelPrunedDecisionsEqualNaiveLoop(double threshold, int seed)
    {
        var seeds = RandomInstructions(30, seed + 100);
        var candidates = RandomInstructions(1200, seed);
        var naive = NaiveNoveltyFilter.Filter(seeds, candidates, threshold);
        var index = new NoveltyIndex(threshold, maxDegreeOfParallelism: 2) { BlockSize = 100 + seed * 37 };
        foreach (var s in seeds) index.Add(s);
        var fast = index.FilterAndAdd(candidates);
        Assert.Equal(naive, fast.Select(d => d.Kept).ToArray());
        Assert.Equal(seeds.Count + naive.Count(k => k), index.Count);
        if (threshold is > 0 and < 1) Assert.Contains(false, naive); // the data must actually exercise rejections
        if (threshold is > 0 and < 1) Assert.Contains(true, naive);
    }

    [Fact]
    public void SequentialTryAddEqualsBatchAndReportsTheRejectingInstruction()
    {
        var candidates = RandomInstructions(800, 11);
        var batch = new NoveltyIndex().FilterAndAdd(candidates);
        var one = new NoveltyIndex();
        for (int i = 0; i < candidates.Count; i++)
        {
            var d = one.TryAdd(candidates[i]);
            Assert.Equal(batch[i].Kept, d.Kept);
            if (!d.Kept)
            {
                Assert.True(d.MaxFMeasure > 0.7);
                Assert.Equal(d.MaxFMeasure, RougeL.Score(one[d.MostSimilar], candidates[i]).FMeasure);
            }
        }
    }

    [Fact]
    public void UnicodeTokenizationFiltersNonLatinDuplicates()
    {
        string[] items = ["写一首关于大海的诗", "写一首关于大海的诗。", "解释光合作用"];
        var reference = new NoveltyIndex().FilterAndAdd(items);
        Assert.All(reference, d => Assert.True(d.Kept)); // the reference tokenizer sees no tokens at all
        var unicode = new NoveltyIndex(tokenization: RougeTokenization.Unicode).FilterAndAdd(items);
        Assert.Equal([true, false, true], unicode.Select(d => d.Kept));
        Assert.Equal(new[] { true, false, true }, NaiveNoveltyFilter.Filter([], items, 0.7, RougeTokenization.Unicode));
    }

    [Fact]
    public void ConsecutiveBatchesAndSingleAddsEqualOneNaivePass()
    {
        var all = RandomInstructions(900, 31);
        var naive = NaiveNoveltyFilter.Filter([], all, 0.7);
        var index = new NoveltyIndex(0.7) { BlockSize = 128 };
        var first = index.FilterAndAdd(all.Take(400).ToList());
        var middle = all.Skip(400).Take(100).Select(index.TryAdd).ToArray();
        var last = index.FilterAndAdd(all.Skip(500).ToList());
        Assert.Equal(naive, first.Concat(middle).Concat(last).Select(d => d.Kept).ToArray());
    }

    [Fact]
    public void TableAndBitParallelNaiveAgree()
    {
        var c = RandomInstructions(300, 21);
        Assert.Equal(NaiveNoveltyFilter.Filter([], c, 0.7, useTable: true), NaiveNoveltyFilter.Filter([], c, 0.7));
    }
}
