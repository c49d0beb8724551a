using System.Text.Json.Nodes;
using Feynman.Cli;
using Feynman.Synthesis;
using Feynman.Synthesis.Filters;
using Feynman.Synthesis.Storage;
using Feynman.Synthesis.Teachers;
using Feynman.Tests.Synthesis.Support;

namespace Feynman.Tests.Synthesis;

[Collection(Feynman.Tests.Support.ConsoleCollection.Name)]
public class DedupAndJudgeTests
{
    [Fact]
    public void MinHashEstimatesJaccardAndDropsNearDuplicatesInOrder()
    {
        var rng = new Random(5);
        string Words(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => "w" + rng.Next(5000)));
        var texts = new List<string>();
        for (int i = 0; i < 200; i++) texts.Add(Words(40));
        // Near duplicates: 1 word of 40 changed (bigram Jaccard about 0.9); and far ones: half the words changed.
        var near = texts.Take(50).Select(t => { var w = t.Split(' '); w[20] = "changed"; return string.Join(' ', w); }).ToList();
        var far = texts.Skip(50).Take(50).Select(t => { var w = t.Split(' '); for (int k = 0; k < 40; k += 2) w[k] = "x" + rng.Next(); return string.Join(' ', w); }).ToList();
        var all = texts.Concat(near).Concat(far).ToList();
        var d = new MinHashDeduplicator(0.7).Deduplicate(all);
        Assert.All(d.Take(200), x => Assert.True(x.Kept));
        for (int i = 0; i < 50; i++) Assert.Equal(i, d[200 + i].DuplicateOf);
        Assert.True(d.Skip(250).Count(x => x.Kept) >= 48);

        var m = new MinHashDeduplicator(permutations: 256, bands: 32);
        var a = m.Signature(texts[0]);
        var b = m.Signature(near[0]);
        // True bigram Jaccard: 41 distinct bigrams share 37 of 43 in the union (2 bigrams touch the changed word).
        double estimate = MinHashDeduplicator.EstimateJaccard(a, b);
        Assert.InRange(estimate, 0.75, 0.97);
        Assert.Equal(1.0, MinHashDeduplicator.EstimateJaccard(a, m.Signature(texts[0].ToUpperInvariant())));
    }

    [Fact]
    public void JudgeScoreParsing()
    {
        Assert.Equal(4, LlmJudge.ParseScore("Clear and correct.\nScore: 4"));
        Assert.Equal(2, LlmJudge.ParseScore("Score: 5 would need more. Final Score: **2**"));
        Assert.Equal(0, LlmJudge.ParseScore("I cannot rate this."));
        Assert.Equal(0, LlmJudge.ParseScore("Score: 9"));
    }

    [Fact]
    public async Task JudgeCommandKeepsHighScoresAndStoresVerdicts()
    {
        await using var server = await FakeOpenAIServer.StartAsync(r => new FakeReply(r.Prompt.Contains("Output: good") ? "Fine.\nScore: 5" : "Wrong.\nScore: 2"));
        var dir = SelfInstructTests.TempDir();
        var data = new JsonArray(
            new JsonObject { ["instruction"] = "Say something nice", ["input"] = "", ["output"] = "good" },
            new JsonObject { ["instruction"] = "Add two and two", ["input"] = "", ["output"] = "five" },
            new JsonObject { ["instruction"] = "Name a color", ["input"] = "", ["output"] = "good" });
        File.WriteAllText(Path.Combine(dir, "data.json"), data.ToJsonString());
        Assert.Equal(0, await FeynmanCommand.Build().Parse(["synth", "judge", "--in", Path.Combine(dir, "data.json"), "--out", Path.Combine(dir, "j"),
            "--endpoint", server.BaseUrl.ToString(), "--model", "judge", "--min-score", "4"]).InvokeAsync());
        var kept = JsonRecords.Read(Path.Combine(dir, "j", "judged.jsonl"));
        Assert.Equal(["Say something nice", "Name a color"], kept.Select(k => k["instruction"]!.GetValue<string>()));
        Assert.All(kept, k => Assert.Equal(5, k["judge_score"]!.GetValue<int>()));
        var verdicts = JsonRecords.Read(Path.Combine(dir, "j", "store.jsonl")).Where(r => r["type"]!.GetValue<string>() == "verdict").ToList();
        Assert.Equal(3, verdicts.Count);
        Assert.Equal("judge_score_2", verdicts.Single(v => !v["kept"]!.GetValue<bool>())["reason"]!.GetValue<string>());
        Assert.All(server.Received, r => Assert.Contains("Score: N", r.Prompt));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void FilterCommandMinHashMethod()
    {
        var dir = SelfInstructTests.TempDir();
        var items = new[] { "write a poem about the sea and the sky at night", "Write a poem about the sea and the sky at night!", "explain how a bicycle gear works" };
        JsonRecords.WriteLines(Path.Combine(dir, "in.jsonl"), items.Select(t => (JsonNode)new JsonObject { ["instruction"] = t }));
        Assert.Equal(0, FeynmanCommand.Build().Parse(["synth", "filter", "--in", Path.Combine(dir, "in.jsonl"), "--out", Path.Combine(dir, "out.jsonl"), "--method", "minhash"]).Invoke());
        Assert.Equal([items[0], items[2]], JsonRecords.Read(Path.Combine(dir, "out.jsonl")).Select(r => r["instruction"]!.GetValue<string>()));
        Directory.Delete(dir, true);
    }
}
