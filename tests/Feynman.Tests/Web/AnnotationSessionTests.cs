using Feynman.Data;
using Feynman.Nn;
using Feynman.Paradigms.ActiveLearning;
using Feynman.Tensors;
using Feynman.Tracking;
using Feynman.Training;
using Feynman.Web;

namespace Feynman.Tests.Web;

public sealed class AnnotationSessionTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "feynman-session-" + Guid.NewGuid().ToString("N"));
    private readonly LabelStore store;

    public AnnotationSessionTests()
    {
        Directory.CreateDirectory(dir);
        store = LabelStore.Open(Path.Combine(dir, "labels.db"));
        store.AddAnnotator("ada");
        store.AddAnnotator("alan");
    }

    public void Dispose()
    {
        store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, true);
    }

    private static Module Student() { var rng = new Generator(1); return new Sequential(new Linear(4, 16, rng: rng), new ReLU(), new Linear(16, 3, rng: rng)); }

    // Counts how often, and over how many candidates, the queue asks the strategy.
    private sealed class CountingStrategy(IQueryStrategy inner) : IQueryStrategy
    {
        public List<int> CandidateCounts { get; } = [];
        public string Name => inner.Name;
        public int[] Select(QueryContext context, int count)
        {
            CandidateCounts.Add(context.Candidates.Length);
            return inner.Select(context, count);
        }
    }

    private static AnnotationOptions Options(IDataset holdout) => new()
    {
        CreateStudent = Student, RetrainEvery = 10, Holdout = holdout, PoolSubsample = 300, QueueDepth = 50,
        Training = new TrainingOptions { Epochs = 30, BatchSize = 32, Optimizer = "adam", LearningRate = 0.02, WeightDecay = 0 },
    };

    [Fact]
    public void QueueScoresASubsampleOncePerStudentVersionAndFollowsTheNewestStudent()
    {
        var pool = Training.SyntheticData.Blobs(2000, features: 4, classes: 3, seed: 5);
        var holdout = Training.SyntheticData.Blobs(300, features: 4, classes: 3, seed: 5, sampleSeed: 9);
        var strategy = new CountingStrategy(new RandomStrategy());   // margin picks from an untrained student would all sit near one boundary
        var session = new AnnotationSession(store, pool, Student(), strategy, Options(holdout));
        var v0 = session.EvaluateInitial();
        Assert.Equal(0, v0.Version);

        var first = session.Queue(10);
        Assert.Equal(10, first.Count);
        Assert.Equal(first.Select(i => i.Id), session.Queue(10).Select(i => i.Id));
        Assert.Equal([300], strategy.CandidateCounts);   // one scoring of 300 random unlabelled items, not 2000 per request

        // Labels leave the queue without a rescoring; every 10th label asks for a retraining.
        for (int i = 0; i < 10; i++) session.AddLabel(first[i].Id, pool.GetLabel(first[i].Id), "ada");
        Assert.Single(strategy.CandidateCounts);
        Assert.True(session.RetrainPending);
        Assert.DoesNotContain(session.Queue(10), q => first.Any(f => f.Id == q.Id));
        Assert.Single(strategy.CandidateCounts);

        for (int i = 0; i < 50; i++)
        {
            int item = session.Queue(1)[0].Id;
            session.AddLabel(item, pool.GetLabel(item), i % 2 == 0 ? "ada" : "alan");
        }
        var point = session.Retrain()!;
        Assert.Equal(1, point.Version);
        Assert.Equal(60, point.Labels);
        Assert.Equal(1, session.Current.Version);
        Assert.True(point.Accuracy > 0.8, $"v0 {v0.Accuracy}: a student trained on 60 true labels of separable blobs should score well on held-out blobs, got {point.Accuracy}");
        Assert.Equal([0, 1], session.Curve.Select(p => p.Version));
        int before = strategy.CandidateCounts.Count;
        var next = session.Queue(10);
        Assert.Equal(before + 1, strategy.CandidateCounts.Count);   // the new student ranks afresh
        // The predictions shown are the new student's.
        var probs = ModelOutputs.Probabilities(session.Current.Model, pool, [.. next.Select(q => q.Id)]);
        for (int r = 0; r < next.Count; r++)
            Assert.Equal(System.Numerics.Tensors.TensorPrimitives.IndexOfMax(probs.AsSpan(r * 3, 3)), next[r].Prediction);
    }

    [Fact]
    public void RetrainingIsSeededAndUsesTheMajorityLabel()
    {
        var pool = Training.SyntheticData.Blobs(200, features: 4, classes: 3, seed: 5);
        var holdout = Training.SyntheticData.Blobs(100, features: 4, classes: 3, seed: 5, sampleSeed: 9);
        for (int i = 0; i < 30; i++) store.AddLabel(i, pool.GetLabel(i), "ada");
        store.AddLabel(0, (pool.GetLabel(0) + 1) % 3, "alan");    // a disagreement: ada's earlier label wins the tie
        var a = new AnnotationSession(store, pool, Student(), new MarginStrategy(), Options(holdout)).Retrain()!;
        var b = new AnnotationSession(store, pool, Student(), new MarginStrategy(), Options(holdout)).Retrain()!;
        Assert.Equal(30, a.Labels);
        Assert.Equal(a.Accuracy, b.Accuracy);
        Assert.Null(new AnnotationSession(store, pool, Student(), new MarginStrategy(), Options(holdout) with { CreateStudent = null }).Retrain());
        // Held-out data that does not fit the pool, and impossible options, are refused up front.
        Assert.Contains("shape [5]", Assert.Throws<ArgumentException>(() => new AnnotationSession(store, pool, Student(), new MarginStrategy(), Options(Training.SyntheticData.Blobs(10, features: 5)))).Message);
        Assert.Contains("4 classes", Assert.Throws<ArgumentException>(() => new AnnotationSession(store, pool, Student(), new MarginStrategy(), Options(Training.SyntheticData.Blobs(10, features: 4, classes: 4)))).Message);
        Assert.Throws<ArgumentException>(() => new AnnotationSession(store, pool, Student(), new MarginStrategy(), Options(holdout) with { RetrainEvery = -1 }));
    }

    [Fact]
    public async Task UndoRetractsWithoutDeletingAndExportsStayRight()
    {
        store.AddLabel(1, 2, "ada");
        store.AddLabel(2, 0, "ada");
        store.AddLabel(2, 1, "alan");
        var undone = store.RetractLast("ada")!;
        Assert.Equal((2, 0, "ada"), (undone.Item, undone.Label, undone.Annotator));
        Assert.True(undone.IsRetracted);
        Assert.Equal([(1, "ada"), (2, "alan")], store.Labels().Select(l => (l.Item, l.Annotator)));
        Assert.Equal(3, store.Labels(includeRetracted: true).Count);
        Assert.Equal([1, 2], store.LabelledItems().Order());
        Assert.Equal(1, store.RetractLast("ada")!.Item);
        Assert.Null(store.RetractLast("ada"));   // nothing left to undo
        Assert.Equal([2], store.LabelledItems());

        var file = Path.Combine(dir, "labels.jsonl");
        Assert.Equal(1, store.Export(file));
        Assert.DoesNotContain("retracted", File.ReadAllText(file));
        Assert.Equal(3, store.Export(file, includeRetracted: true));
        Assert.Equal(2, File.ReadAllLines(file).Count(l => l.Contains("\"retracted_at\"")));
        // The active-learning oracle sees only labels that stand.
        var answers = await new LabelStoreOracle(store, 3).RequestLabelsAsync([1, 2]);
        Assert.Equal([(2, 1)], answers.Select(x => (x.Item, x.Label)));
    }

    [Fact]
    public void DatabasesWithoutTheRetractionColumnAreUpgraded()
    {
        var path = Path.Combine(dir, "old.db");
        using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = """
                CREATE TABLE annotators (name TEXT PRIMARY KEY, token_sha256 TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
                CREATE TABLE labels (id INTEGER PRIMARY KEY AUTOINCREMENT, item INTEGER NOT NULL, label INTEGER NOT NULL, annotator TEXT NOT NULL, at TEXT NOT NULL);
                INSERT INTO annotators VALUES ('ada', 'x', '2026-01-01T00:00:00Z');
                INSERT INTO labels (item, label, annotator, at) VALUES (4, 1, 'ada', '2026-01-01T00:00:00Z');
                """;
            cmd.ExecuteNonQuery();
        }
        using var old = LabelStore.Open(path);
        Assert.Equal((4, 1, false), old.Labels().Select(l => (l.Item, l.Label, l.IsRetracted)).Single());
        Assert.Equal(4, old.RetractLast("ada")!.Item);
        Assert.Empty(old.Labels());
    }

    [Fact]
    public void StatisticsCountClassesAnnotatorsAndAgreement()
    {
        // ada and alan both label items 0..3 and agree on 0, 1, 2; bob labels 3 and 4; ada undoes one label of item 9.
        int[] ada = [0, 1, 2, 2], alan = [0, 1, 2, 0];
        for (int i = 0; i < 4; i++) { store.AddLabel(i, ada[i], "ada"); store.AddLabel(i, alan[i], "alan"); }
        store.AddAnnotator("bob");
        store.AddLabel(3, 2, "bob");
        store.AddLabel(4, 1, "bob");
        store.AddLabel(9, 0, "ada");
        store.RetractLast("ada");
        var s = AnnotationStatistics.Compute(store.Labels(includeRetracted: true), 3);
        Assert.Equal((10, 1, 5), (s.Labels, s.Retracted, s.Items));
        Assert.Equal([3, 3, 4], s.PerClass);
        Assert.Equal([("ada", 4, 1), ("alan", 4, 0), ("bob", 2, 0)], s.PerAnnotator.Select(a => (a.Name, a.Labels, a.Retracted)));
        Assert.Equal((4, 3), (s.SharedItems, s.AgreedItems));
        var pair = s.Pairs.Single(p => p.First == "ada" && p.Second == "alan");
        Assert.Equal((4, 0.75), (pair.Items, pair.Agreement));
        // Cohen's kappa: ada's classes (1/4, 1/4, 2/4), alan's (2/4, 1/4, 1/4): chance 0.125 + 0.0625 + 0.125 = 0.3125.
        Assert.Equal((0.75 - 0.3125) / (1 - 0.3125), pair.Kappa!.Value, 12);
        Assert.Equal(1, s.Pairs.Single(p => p.First == "ada" && p.Second == "bob").Items);
    }
    [Fact]
    public void TextPoolsGiveTextItems()
    {
        var pool = Training.SyntheticData.Blobs(40, features: 4, classes: 3, seed: 5);
        var session = new AnnotationSession(store, pool, Student(), new MarginStrategy(), new AnnotationOptions { ItemText = i => $"message number {i}" });
        Assert.Equal("text", session.Kind);
        Assert.All(session.Queue(5), q => Assert.Equal(("text", $"message number {q.Id}"), (q.Kind, q.Text)));
        Assert.Equal("message number 7", session.Describe(7).Text);
        Assert.Throws<ArgumentOutOfRangeException>(() => session.Describe(40));
        Assert.Throws<ArgumentOutOfRangeException>(() => session.AddLabel(3, 3, "ada"));
        Assert.Empty(store.Labels());
    }
}
