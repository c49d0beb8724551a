using System.Text.Json.Nodes;
using Feynman.Cli;
using Feynman.Synthesis.Filters;
using Feynman.Synthesis.Statistics;
using Feynman.Synthesis.Storage;
using Feynman.Tests.Synthesis.Support;

namespace Feynman.Tests.Synthesis;

[Collection(Feynman.Tests.Support.ConsoleCollection.Name)]
public class SynthCliTests
{
    private static int Run(params string[] args) => FeynmanCommand.Build().Parse(args).Invoke();

    [Fact]
    public void FilterKeepsInInputOrderAgainstSeedsAndEarlierKeptOnes()
    {
        var dir = SelfInstructTests.TempDir();
        var items = NoveltyIndexTests.RandomInstructions(400, 77);
        var seeds = NoveltyIndexTests.RandomInstructions(10, 78);
        JsonRecords.WriteLines(Path.Combine(dir, "in.jsonl"), items.Select((t, i) => (JsonNode)new JsonObject { ["instruction"] = t, ["n"] = i }));
        JsonRecords.WriteLines(Path.Combine(dir, "seeds.jsonl"), seeds.Select(t => (JsonNode)new JsonObject { ["instruction"] = t }));
        Assert.Equal(0, Run("synth", "filter", "--in", Path.Combine(dir, "in.jsonl"), "--out", Path.Combine(dir, "out.jsonl"),
            "--seeds", Path.Combine(dir, "seeds.jsonl"), "--threshold", "0.6", "--rejected", Path.Combine(dir, "rej.jsonl")));
        var expected = NaiveNoveltyFilter.Filter(seeds, items, 0.6);
        var kept = JsonRecords.Read(Path.Combine(dir, "out.jsonl"));
        Assert.Equal(Enumerable.Range(0, items.Count).Where(i => expected[i]), kept.Select(r => r["n"]!.GetValue<int>()));
        var rejected = JsonRecords.Read(Path.Combine(dir, "rej.jsonl"));
        Assert.Equal(items.Count - kept.Count, rejected.Count);
        Assert.All(rejected, r => Assert.True(r["rejection"]!["rouge_l"]!.GetValue<double>() > 0.6));
        // A record without the field is reported, not crashed on.
        File.WriteAllText(Path.Combine(dir, "bad.jsonl"), "{\"text\":\"x\"}\n");
        Assert.Equal(2, Run("synth", "filter", "--in", Path.Combine(dir, "bad.jsonl"), "--out", Path.Combine(dir, "o2.jsonl")));
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task SelfInstructAndAlpacaCommandsRunAgainstALocalServerAndResume()
    {
        await using var server = await FakeOpenAIServer.StartAsync(FakeTeacher.Answer);
        var dir = SelfInstructTests.TempDir();
        string seeds = Path.Combine(AppContext.BaseDirectory, "Synthesis", "Templates", "seed_tasks.jsonl");
        string url = server.BaseUrl.ToString();
        Assert.Equal(0, await FeynmanCommand.Build().Parse(["synth", "self-instruct", "--endpoint", url, "--model", "fake", "--seeds", seeds,
            "--out", Path.Combine(dir, "si"), "--num", "12", "--requests-per-round", "4", "--dry-run"]).InvokeAsync());
        Assert.False(File.Exists(Path.Combine(dir, "si", "store.jsonl")));
        Assert.Empty(server.Received);
        Assert.Equal(0, await FeynmanCommand.Build().Parse(["synth", "self-instruct", "--endpoint", url, "--model", "fake", "--seeds", seeds,
            "--out", Path.Combine(dir, "si"), "--num", "12", "--requests-per-round", "4", "--api-key-env", "FEYNMAN_TEST_NO_KEY"]).InvokeAsync());
        var tasks = JsonRecords.Read(Path.Combine(dir, "si", "machine_generated_tasks.jsonl"));
        Assert.NotEmpty(tasks);
        int sent = server.Received.Count;
        // Rerunning into the same folder needs --resume, and a resume of a finished run sends nothing new.
        Assert.Equal(2, await FeynmanCommand.Build().Parse(["synth", "self-instruct", "--endpoint", url, "--model", "fake", "--seeds", seeds,
            "--out", Path.Combine(dir, "si"), "--num", "12", "--requests-per-round", "4"]).InvokeAsync());
        Assert.Equal(0, await FeynmanCommand.Build().Parse(["synth", "self-instruct", "--endpoint", url, "--model", "fake", "--seeds", seeds,
            "--out", Path.Combine(dir, "si"), "--num", "12", "--requests-per-round", "4", "--resume"]).InvokeAsync());
        Assert.Equal(sent, server.Received.Count);
        Assert.Equal(tasks.Count, JsonRecords.Read(Path.Combine(dir, "si", "machine_generated_tasks.jsonl")).Count);

        Assert.Equal(0, await FeynmanCommand.Build().Parse(["synth", "alpaca", "--endpoint", url, "--model", "fake", "--seeds", seeds,
            "--out", Path.Combine(dir, "al"), "--num", "10", "--requests-per-round", "3"]).InvokeAsync());
        Assert.True(JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "al", "alpaca_data.json")))!.AsArray().Count >= 10);

        var stats = new InstructionStatistics(JsonRecords.Read(Path.Combine(dir, "si", "store.jsonl")));
        Assert.True(stats.Kept >= 12);
        Assert.True(stats.Reasons["blacklist:map"] > 0);
        Assert.True(stats.Reasons["rouge_l"] > 0);
        Assert.Equal(stats.Kept, stats.LengthHistogram.Values.Sum());
        Assert.Equal(0, Run("synth", "stats", "--in", Path.Combine(dir, "si", "store.jsonl")));
        Assert.Equal(0, Run("synth", "templates", "--out", Path.Combine(dir, "tpl")));
        Assert.Equal(9, Directory.GetFiles(Path.Combine(dir, "tpl")).Length);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void StatisticsFindRootVerbsAndObjects()
    {
        var recs = new[] { "Write a poem about cats", "Write the story of a dog", "Write a poem on rain", "List three fruits", "Explain how tides work" }
            .Select(t => new JsonObject { ["instruction"] = t }).Append(new JsonObject { ["instruction"] = "Hi", ["kept"] = false, ["reason"] = "too_short" });
        var s = new InstructionStatistics(recs);
        Assert.Equal(6, s.Total);
        Assert.Equal(5, s.Kept);
        Assert.Equal(1, s.Reasons["too_short"]);
        var top = s.TopVerbs().First();
        Assert.Equal("write", top.Verb);
        Assert.Equal(3, top.Count);
        Assert.Equal(("poem", 2), top.Objects.First());
        Assert.Equal(("list", "fruits"), InstructionStatistics.VerbObject(["List", "three", "fruits"]));
    }
}
