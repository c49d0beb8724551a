using Feynman.Paradigms.ActiveLearning;
using Feynman.Tracking;

namespace Feynman.Tests.ActiveLearning;

public sealed class LabelStoreTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "feynman-labels-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, true);
    }

    [Fact]
    public void TokensIdentifyAnnotatorsAndOnlyTheirHashIsStored()
    {
        var path = Path.Combine(dir, "labels.db");
        string token;
        using (var store = LabelStore.Open(path))
        {
            token = store.AddAnnotator("ada");
            var other = store.AddAnnotator("alan");
            Assert.NotEqual(token, other);
            Assert.Equal("ada", store.Authenticate(token));
            Assert.Null(store.Authenticate("not-a-token"));
            Assert.Null(store.Authenticate(null));
            Assert.Throws<InvalidOperationException>(() => store.AddAnnotator("ada"));
            Assert.Throws<ArgumentException>(() => store.AddAnnotator(" "));
        }
        using (var reopened = LabelStore.Open(path))
        {
            Assert.Equal("ada", reopened.Authenticate(token));
            Assert.Equal(["ada", "alan"], reopened.Annotators());
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Assert.DoesNotContain(token, File.ReadAllText(path, System.Text.Encoding.Latin1));
    }

    [Fact]
    public void EveryLabelIsKeptIncludingConcurrentOnes()
    {
        using var store = LabelStore.Open(Path.Combine(dir, "labels.db"));
        store.AddAnnotator("ada");
        store.AddAnnotator("alan");
        store.AddLabel(7, 3, "ada");
        store.AddLabel(7, 4, "alan");
        Assert.Equal([3, 4], store.Labels(7).Select(l => l.Label));
        // Two annotators labelling 200 items each at the same time: nothing is lost.
        Parallel.For(0, 2, a =>
        {
            for (int i = 0; i < 200; i++) store.AddLabel(100 + i, i % 10, a == 0 ? "ada" : "alan");
        });
        Assert.Equal(402, store.Labels().Count);
        Assert.Equal(2, store.Labels(150).Count);
        var file = Path.Combine(dir, "labels.jsonl");
        Assert.Equal(402, store.Export(file));
        var lines = File.ReadAllLines(file);
        Assert.Equal(402, lines.Length);
        Assert.Contains("\"item\":7,\"label\":3,\"annotator\":\"ada\"", lines[0]);
    }

    [Fact]
    public async Task TheStoreOracleAnswersLabelledItemsByMajority()
    {
        using var store = LabelStore.Open(Path.Combine(dir, "labels.db"));
        foreach (var n in new[] { "a", "b", "c" }) store.AddAnnotator(n);
        store.AddLabel(1, 2, "a");
        store.AddLabel(1, 5, "b");
        store.AddLabel(1, 5, "c");
        store.AddLabel(2, 0, "a");
        store.AddLabel(2, 1, "b");
        var answers = await new LabelStoreOracle(store, classes: 10, costPerLabel: 0.5).RequestLabelsAsync([1, 2, 3]);
        Assert.Equal(2, answers.Count); // item 3 has no label yet
        Assert.Equal(new OracleLabel(1, 5, 1.5, "b+c"), answers[0]);
        Assert.Equal(new OracleLabel(2, 0, 1.0, "a"), answers[1]); // tie: the earliest label
    }
}
