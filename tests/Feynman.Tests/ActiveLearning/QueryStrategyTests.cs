using Feynman.Data;
using Feynman.Nn;
using Feynman.Paradigms.ActiveLearning;
using Feynman.Tensors;

namespace Feynman.Tests.ActiveLearning;

public class QueryStrategyTests
{
    // Rows chosen so the three uncertainty measures disagree:
    // row 0: confident; row 1: two-way tie (smallest margin); row 2: flat over three classes (max entropy,
    // least confident); row 3: leading class 0.5 with the rest spread (high entropy, wide margin).
    private static readonly float[] Probs =
    [
        0.98f, 0.01f, 0.01f, 0.00f,
        0.45f, 0.45f, 0.10f, 0.00f,
        0.34f, 0.33f, 0.33f, 0.00f,
        0.50f, 0.20f, 0.15f, 0.15f,
    ];

    [Fact]
    public void LeastConfidenceRanksByLowestTopProbability()
    {
        var s = new LeastConfidenceStrategy();
        Assert.Equal(1 - 0.34, s.Score(Probs.AsSpan(8, 4)), 6);
        Assert.Equal([2, 1, 3, 0], s.SelectFromProbabilities(Probs, 4, 4));
    }

    [Fact]
    public void MarginRanksBySmallestGapBetweenTopTwo()
    {
        var s = new MarginStrategy();
        Assert.Equal(-(0.50 - 0.20), s.Score(Probs.AsSpan(12, 4)), 6);
        // Gaps: 0.97, 0.00, 0.01, 0.30.
        Assert.Equal([1, 2, 3, 0], s.SelectFromProbabilities(Probs, 4, 4));
        Assert.Equal([1, 2], s.SelectFromProbabilities(Probs, 4, 2));
    }

    [Fact]
    public void EntropyRanksByShannonEntropy()
    {
        var s = new EntropyStrategy();
        double h3 = -(0.50 * Math.Log(0.50) + 0.20 * Math.Log(0.20) + 2 * 0.15 * Math.Log(0.15));
        Assert.Equal(h3, s.Score(Probs.AsSpan(12, 4)), 5);
        Assert.Equal(Math.Log(4), EntropyStrategy.Entropy([0.25f, 0.25f, 0.25f, 0.25f]), 6);
        // Entropies: ~0.112, ~0.948, ~1.0986, ~1.2376.
        Assert.Equal([3, 2, 1, 0], s.SelectFromProbabilities(Probs, 4, 4));
    }

    [Fact]
    public void TiesGoToTheLowerIndex()
    {
        float[] same = [0.5f, 0.5f, 0.9f, 0.1f, 0.5f, 0.5f, 0.5f, 0.5f];
        Assert.Equal([0, 2, 3], new MarginStrategy().SelectFromProbabilities(same, 2, 3));
        Assert.Equal([1, 0, 2], Ranking.TopK([1.0, 2.0, double.NaN], 3));
    }

    [Fact]
    public void BaldScoresDisagreementNotUncertainty()
    {
        // Row 0: every pass says 50/50 (uncertain, but the passes agree) -> 0.
        // Row 1: passes are each sure but disagree -> H(0.5,0.5) - ~0 = ln 2 (the maximum for two classes).
        // Row 2: all passes sure and agree -> 0.
        float[] a = [0.5f, 0.5f, 1f, 0f, 1f, 0f];
        float[] b = [0.5f, 0.5f, 0f, 1f, 1f, 0f];
        var mi = BaldStrategy.MutualInformation([a, b], 2);
        Assert.Equal(0, mi[0], 6);
        Assert.Equal(Math.Log(2), mi[1], 6);
        Assert.Equal(0, mi[2], 6);
        // Against a hand computation with unequal passes: p1 = (0.9, 0.1), p2 = (0.3, 0.7), mean (0.6, 0.4).
        var m = BaldStrategy.MutualInformation([[0.9f, 0.1f], [0.3f, 0.7f]], 2);
        double h(double p) => -(p * Math.Log(p) + (1 - p) * Math.Log(1 - p));
        Assert.Equal(h(0.6) - (h(0.9) + h(0.3)) / 2, m[0], 5);
        // Entropy alone would rank row 0 first; BALD ranks row 1 first.
        Assert.Equal(1, Ranking.TopK(mi, 1)[0]);
    }

    [Fact]
    public void KCenterGreedyCoversTheSpace()
    {
        // 2-D points: a labelled center at the origin, a tight cluster near it, and two far points.
        float[] points =
        [
            0, 0,      // 0: labelled
            0.1f, 0,   // 1
            0, 0.1f,   // 2
            10, 0,     // 3: far right
            0, 5,      // 4: up
            9, 0,      // 5: near 3
        ];
        // Farthest from {0} is 3 (10); then from {0,3}: 4 is 5 away, 5 is 1 away from 3 -> 4; then 5 (1.0) over 1 and 2 (0.1).
        Assert.Equal([3, 4, 5], KCenterGreedy.Select(points, 2, [0], 3));
        // The labelled center is never chosen even if all else are taken.
        Assert.Equal([3, 4, 5, 1, 2], KCenterGreedy.Select(points, 2, [0], 10));
        // Without centers it starts nearest the mean (19.1/6, 5.1/6) = (3.18, 0.85): point 1 at 3.20 (point 2 is 3.27, point 0 3.29).
        var none = KCenterGreedy.Select(points, 2, [], 2);
        Assert.Equal(1, none[0]);
        Assert.Equal(3, none[1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => KCenterGreedy.Select(points, 2, [6], 1));
    }

    [Fact]
    public void KCenterGreedyBreaksTiesTowardTheLowerRow()
    {
        float[] points = [0, 0, 1, 0, -1, 0, 0, 1];
        // Rows 1, 2 and 3 are all at distance 1 from row 0.
        Assert.Equal([1, 2, 3], KCenterGreedy.Select(points, 2, [0], 3));
    }

    [Fact]
    public void WeightedKMeansTakesOneRepresentativePerCluster()
    {
        // Three tight groups in 2-D (around (0,0), (10,0), (0,10)), five rows each; the middle row of each group is its center.
        var points = new List<float>();
        (float X, float Y)[] groups = [(0, 0), (10, 0), (0, 10)];
        float[] offsets = [-0.2f, -0.1f, 0f, 0.1f, 0.2f];
        foreach (var (x, y) in groups)
            foreach (float o in offsets) points.AddRange([x + o, y - o]);
        // The group at (10,0) carries the most weight, the one at (0,10) the least.
        var weights = Enumerable.Range(0, 15).Select(i => (i / 5) switch { 0 => 1.0, 1 => 3.0, _ => 0.5 }).ToArray();
        var picked = WeightedKMeans.Representatives(points.ToArray(), 2, weights, 3, new Generator(1));
        Assert.Equal([7, 2, 12], picked);
        Assert.Equal(picked, WeightedKMeans.Representatives(points.ToArray(), 2, weights, 3, new Generator(1)));
        // Asking for at least as many as there are rows returns them all, heaviest first.
        Assert.Equal([5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 10, 11, 12, 13, 14], WeightedKMeans.Representatives(points.ToArray(), 2, weights, 20, new Generator(1)));
        Assert.Empty(WeightedKMeans.Representatives(points.ToArray(), 2, weights, 0, new Generator(1)));
        Assert.Throws<ArgumentException>(() => WeightedKMeans.Representatives(points.ToArray(), 2, weights[..3], 2, new Generator(1)));
    }

    [Fact]
    public void MarginClustersSpreadsABatchThatPlainMarginPilesUp()
    {
        // Logits (x, −x): the margin grows with |x|. The pool: 40 copies of (0, 0), the most uncertain point, and 60 points
        // near x = 0 spread along y. Plain margin asks about ten copies of the same point; clustering asks about one at most.
        var model = new Sequential(new Linear(2, 2, rng: new Generator(1)));
        var linear = (Linear)model[0];
        float[] weight = [1, 0, -1, 0];
        weight.CopyTo(linear.Weight.Span);
        linear.Bias!.Span.Clear();
        var inputs = new List<float>();
        for (int i = 0; i < 40; i++) inputs.AddRange([0f, 0f]);
        for (int i = 0; i < 60; i++) inputs.AddRange([0.01f * (1 + i % 5), i - 30]);
        var pool = new ImageDataset("dupes", [.. inputs], new int[100], [2], ["a", "b"]);
        var candidates = Enumerable.Range(0, 100).ToArray();
        var marginPicks = new MarginStrategy().Select(new QueryContext(model, pool, candidates, [], new Generator(1)), 10);
        Assert.Equal(Enumerable.Range(0, 10), marginPicks);
        var clusterPicks = new MarginClustersStrategy(prefilter: 10).Select(new QueryContext(model, pool, candidates, [], new Generator(1)), 10);
        Assert.Equal(10, clusterPicks.Distinct().Count());
        Assert.True(clusterPicks.Count(i => i < 40) <= 1, $"margin-clusters: {string.Join(", ", clusterPicks)}");
        Assert.Equal(clusterPicks, new MarginClustersStrategy(prefilter: 10).Select(new QueryContext(model, pool, candidates, [], new Generator(1)), 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MarginClustersStrategy(prefilter: 0));
    }

    [Fact]
    public void StrategiesOnAModelReturnDistinctCandidatesDeterministically()
    {
        var pool = Training.SyntheticData.Blobs(300, features: 6, classes: 3, seed: 4);
        var rng = new Generator(9);
        var model = new Sequential(new Linear(6, 16, rng: rng), new ReLU(), new Dropout(0.3, rng), new Linear(16, 3, rng: rng));
        var candidates = Enumerable.Range(20, 280).ToArray();
        var labelled = Enumerable.Range(0, 20).ToArray();
        foreach (var name in QueryStrategies.Names)
        {
            int[] Pick() => QueryStrategies.Create(name, 4).Select(new QueryContext(model, pool, candidates, labelled, new Generator(3)), 25);
            var first = Pick();
            Assert.Equal(25, first.Length);
            Assert.Equal(25, first.Distinct().Count());
            Assert.All(first, i => Assert.InRange(i, 20, 299));
            if (name != "bald") Assert.Equal(first, Pick());
        }
        // Uncertainty picks match scoring the probabilities directly.
        var probs = ModelOutputs.Probabilities(model, pool, candidates);
        var expected = new MarginStrategy().SelectFromProbabilities(probs, 3, 10).Select(i => candidates[i]);
        Assert.Equal(expected, new MarginStrategy().Select(new QueryContext(model, pool, candidates, labelled, new Generator(1)), 10));
        Assert.Throws<ArgumentException>(() => QueryStrategies.Create("uncertainty"));
    }

    [Fact]
    public void BaldNeedsDropoutAndEmbeddingsNeedALinearLayer()
    {
        var pool = Training.SyntheticData.Blobs(20, features: 4, classes: 2);
        var model = new Sequential(new Linear(4, 2, rng: new Generator(1)));
        var ctx = new QueryContext(model, pool, [.. Enumerable.Range(0, 20)], [], new Generator(1));
        var ex = Assert.Throws<InvalidOperationException>(() => new BaldStrategy(3).Select(ctx, 5));
        Assert.Contains("no dropout layer", ex.Message);
        var emb = ModelOutputs.Embeddings(model, pool, [0, 1], out int width);
        Assert.Equal(4, width);
        var x = new float[4];
        pool.CopyInput(1, x);
        Assert.Equal(x, emb[4..]);
        Assert.Throws<ArgumentException>(() => ModelOutputs.Embeddings(new Sequential(new ReLU()), pool, [0], out _));
    }
}
