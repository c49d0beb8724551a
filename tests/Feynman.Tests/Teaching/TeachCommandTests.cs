using System.Text.Json.Nodes;
using Feynman.Cli;
using Feynman.Experiments;
using Feynman.Tests.Teaching.Support;
using Feynman.Text;
using Feynman.Text.Labelling;
using Feynman.Text.Teaching;
using Feynman.Tracking;
using Feynman.Training.Recipes;

namespace Feynman.Tests.Teaching;

[Collection(Feynman.Tests.Support.ConsoleCollection.Name)]
public sealed class TeachCommandTests : IDisposable
{
    private static readonly string[] Labels = ["ham", "spam"];
    private readonly string _dir = Directory.CreateTempSubdirectory("feynman-teachcli-").FullName;

    static TeachCommandTests()
    {
        TeachingComponents.RegisterStudent("test-keyword", _ => new KeywordStudentTrainer());
        TeachingComponents.RegisterLabeler("test-rules", _ => new LocalTextLabeler(new RuleClassifier(), "rules", minConfidence: 0.55f));
        TeachingComponents.RegisterWriter("test-script", _ => new ScriptedWriter(TeachingLoopTests.Script));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private string Recipe(string extra = "")
    {
        WriteJsonl("seed.jsonl", TeachingLoopTests.Seed.Select(e => new JsonObject { ["id"] = e.Id, ["text"] = e.Text }));
        WriteJsonl("dev.jsonl", TeachingLoopTests.Dev.Select(e => new JsonObject { ["text"] = e.Text, ["label"] = Labels[e.Label] }));
        WriteJsonl("test.jsonl", TeachingLoopTests.Dev.Select(e => new JsonObject { ["text"] = e.Text + " again", ["label"] = Labels[e.Label] }));
        var path = Path.Combine(_dir, "teach.yaml");
        File.WriteAllText(path, $"""
            name: teach-test
            paradigm: teach
            seed: 3
            teach:
              labels: [ham, spam]
              data: {"{"}name: jsonl, seed: seed.jsonl, dev: dev.jsonl, test: test.jsonl{"}"}
              student: test-keyword
              labeler: test-rules
              writer: test-script
              rounds: 3
              failures_per_round: 4
              examples_per_round: 11
              novelty: {"{"}method: rouge_l, threshold: 0.7{"}"}
              confidence_threshold: 0.7
              target_accuracy: 1.0
            {extra}
            """);
        return path;
    }

    private void WriteJsonl(string name, IEnumerable<JsonObject> rows) =>
        File.WriteAllLines(Path.Combine(_dir, name), rows.Select(r => r.ToJsonString()));

    private static int Run(params string[] args) => FeynmanCommand.Build().Parse(args).Invoke();

    [Fact]
    public void TeachRunsTheLocalLoopAndRecordsEveryRoundInResultsReportAndDatabase()
    {
        var recipe = Recipe();
        var outDir = Path.Combine(_dir, "out");
        var db = Path.Combine(_dir, "runs.db");
        Assert.Equal(0, Run("teach", recipe, "--out", outDir, "--db", db));

        var result = ExperimentResult.Load(Path.Combine(outDir, "results.json"));
        Assert.Equal("teach", result.Paradigm);
        Assert.Equal(3, result.Metrics["rounds"]);
        Assert.Equal(8, result.Metrics["examples"]);
        Assert.Equal(4, result.Metrics["examples_from_writer"]);
        var student = result.ByRole("student (taught)")!;
        Assert.Equal([0, 1, 2], student.History.Select(h => h.Epoch));
        Assert.InRange(student.TestAccuracy, 0, 1);
        Assert.NotNull(result.ByRole("teacher"));
        var html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.Contains("Round 0: student trained on 4 examples", html);
        Assert.Contains("3 duplicate", html);

        var state = TeachingState.TryLoad(outDir)!;
        using var store = RunStore.Open(db);
        var details = store.GetRun(result.RunId!.Value);
        Assert.Equal(state.Rounds.Select(r => (r.Round, r.DevAccuracy)), details.Curve("test-keyword", "dev_accuracy").Select(p => (p.Epoch, p.Value)));
        Assert.Equal([11.0, 4, 0], details.Curve("test-keyword", "proposed").Select(p => p.Value));

        // A second run into the same folder must say --resume; with it, the finished run is reported again unchanged.
        Assert.Equal(1, Run("teach", recipe, "--out", outDir, "--db", db));
        Assert.Equal(0, Run("teach", recipe, "--out", outDir, "--db", db, "--resume"));
        Assert.Equal(8, ExperimentResult.Load(Path.Combine(outDir, "results.json")).Metrics["examples"]);
    }

    [Fact]
    public void BadTeachOptionsAreReportedNotCrashedOn()
    {
        var recipe = Recipe();
        Assert.Equal(2, Run("teach", recipe, "--teacher-url", "http://127.0.0.1:9/v1")); // no model
        var unknown = File.ReadAllText(recipe).Replace("student: test-keyword", "student: nonesuch");
        File.WriteAllText(Path.Combine(_dir, "bad.yaml"), unknown);
        Assert.Equal(1, Run("teach", Path.Combine(_dir, "bad.yaml"), "--out", Path.Combine(_dir, "o")));
        var ex = Assert.Throws<RecipeException>(() => { TeachRecipes.Register(); RecipeParser.Parse(File.ReadAllText(recipe).Replace("rounds: 3", "roundz: 3"), "r.yaml"); });
        Assert.Contains("unknown key 'roundz'", ex.Message);
        var spec = RecipeParser.Parse(File.ReadAllText(recipe)).Section<TeachSpec>(TeachSpec.SectionKey)!;
        Assert.Equal((3, 4, 11, 0.7, NoveltyMethod.RougeL), (spec.Loop.Rounds, spec.Loop.FailuresPerRound, spec.Loop.ExamplesPerRound, spec.Loop.ConfidenceThreshold, spec.Loop.Novelty));
        Assert.Equal("seed.jsonl", spec.Data.Get("seed"));
    }

    // The LLM teacher: labels by the rules with logprobs, new examples as JSON lines chosen by the round in the seed.
    internal static ScriptedReply Llm(ScriptedRequest r)
    {
        if (r.Messages[0].Content.StartsWith("You write training data", StringComparison.Ordinal))
        {
            int round = (int)(r.Seed!.Value / 1000 % 1000);
            var lines = TeachingLoopTests.Script(new ExampleRequest(Labels, [], 11, round, 0))
                .Select(e => new JsonObject { ["text"] = e.Text, ["label"] = e.Label is 0 or 1 ? Labels[e.Label] : "phishing" }.ToJsonString());
            return new ScriptedReply("Here are the examples:\n```json\n" + string.Join("\n", lines) + "\n```");
        }
        // It cannot label "??" texts, even when told its answer is not a label.
        if (r.Messages.Any(m => m.Role == "user" && m.Content.Contains("??"))) return new ScriptedReply("I cannot tell");
        var text = r.Messages.Last(m => m.Role == "user").Content;
        var p = new float[2];
        new RuleClassifier().PredictProbabilities(text, p);
        string answer = p[1] > p[0] ? "spam" : "ham";
        return new ScriptedReply(answer, [new ScriptedToken(answer, Math.Log(Math.Max(p[0], p[1])), [("spam", Math.Log(p[1])), ("ham", Math.Log(p[0]))])]);
    }

    [Fact]
    public async Task WithATeacherUrlTheLlmLabelsAndWritesAndARerunFromTheCacheCostsNothing()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync(Llm);
        var recipe = Recipe();
        var outDir = Path.Combine(_dir, "llm");
        Assert.Equal(0, await FeynmanCommand.Build().Parse(["teach", recipe, "--out", outDir, "--db", Path.Combine(_dir, "runs.db"),
            "--teacher-url", server.BaseUrl.ToString(), "--teacher-model", "big-model", "--api-key-env", "FEYNMAN_TEST_NO_KEY", "--price-in", "1000", "--price-out", "2000"]).InvokeAsync());
        var state = TeachingState.TryLoad(outDir)!;
        Assert.Equal(TeachingLoop.StopRounds, state.StopReason);
        Assert.Contains(server.Received, q => q.LogProbs);
        // The LLM's labels match the local rules, so the data matches the local run's; "phishing" is an invalid label.
        Assert.Equal(8, state.Examples.Count);
        Assert.Equal(1, state.Rounds[0].Rejected[TeachingLoop.RejectInvalidLabel]);
        Assert.Equal(1, state.Rounds[0].Rejected[TeachingLoop.RejectTeacherNoLabel]);
        Assert.Contains("'I cannot tell'", state.SeedRejected["s6"]);
        Assert.True(state.Rounds[0].TeacherCost > 0);
        Assert.True(state.SeedTeacherTokens > 0);
        int asked = server.Received.Count;

        // The same run in a new folder with the old cache: zero requests, the same data and the same accounting.
        var again = Path.Combine(_dir, "again");
        Directory.CreateDirectory(again);
        File.Copy(Path.Combine(outDir, TeachExperiment.CacheFile), Path.Combine(again, TeachExperiment.CacheFile));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Assert.Equal(0, await FeynmanCommand.Build().Parse(["teach", recipe, "--out", again,
            "--teacher-url", server.BaseUrl.ToString(), "--teacher-model", "big-model", "--api-key-env", "FEYNMAN_TEST_NO_KEY", "--price-in", "1000", "--price-out", "2000"]).InvokeAsync());
        Assert.Equal(asked, server.Received.Count);
        var replay = TeachingState.TryLoad(again)!;
        // Everything but what this process paid is the same.
        Assert.All(replay.Rounds, r => Assert.Equal(0, r.FreshTokens));
        Assert.Contains(state.Rounds, r => r.FreshTokens > 0);
        foreach (var s in new[] { state, replay }) for (int i = 0; i < s.Rounds.Count; i++) s.Rounds[i] = s.Rounds[i] with { FreshTokens = 0, FreshCost = 0 };
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(state, TeachingState.Json), System.Text.Json.JsonSerializer.Serialize(replay, TeachingState.Json));
    }
}
