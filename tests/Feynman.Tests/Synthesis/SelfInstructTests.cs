using Feynman.Synthesis;
using Feynman.Synthesis.Filters;
using Feynman.Synthesis.SelfInstruct;
using Feynman.Synthesis.Storage;
using Feynman.Synthesis.Teachers;
using Feynman.Synthesis.Text;
using Feynman.Tests.Synthesis.Support;

namespace Feynman.Tests.Synthesis;

public class SelfInstructTests
{
    internal static List<SeedTask> Seeds() => SeedTask.Load(Path.Combine(AppContext.BaseDirectory, "Synthesis", "Templates", "seed_tasks.jsonl"));

    internal static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "feynman-synth-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(d);
        return d;
    }

    internal static TeacherPool Pool(FakeOpenAIServer s, Budget? budget = null) =>
        new([new TeacherEndpoint { BaseUrl = s.BaseUrl, Model = "fake", ApiKeyVariable = null, InputPricePerMillion = 10, OutputPricePerMillion = 30 }],
            TeacherPoolTests.Fast(inFlight: 8), budget);

    [Fact]
    public void BootstrapPromptNumbersInstructionsAndLeavesTheNextOpen()
    {
        var p = SelfInstructParsing.EncodeBootstrapPrompt("Come up with a series of tasks:\n", ["Write  a\nstory:", "List primes"]);
        Assert.Equal("Come up with a series of tasks:\n1. Write a story\n2. List primes\n3.", p);
    }

    [Fact]
    public void InstructionRulesRejectAsTheOriginal()
    {
        var text = " write a poem about the SEA\n10. Draw a picture of a cat please\n11. Write a program that sorts numbers\n12. Hi there you\n" +
                   "13. \"Quoted instruction starts with punctuation\n14. Écrivez un poème sur la mer\n15. Describe the Images in this article";
        var r = SelfInstructParsing.ParseInstructions(text, finishedByLength: false);
        Assert.Equal(("Write a poem about the sea", (string?)null), r[0]);
        Assert.Equal("blacklist:picture", r[1].Reason); // the first blacklisted word in list order
        Assert.Equal("write_a_program", r[2].Reason);
        Assert.Equal("too_short", r[3].Reason);
        Assert.Equal("starts_with_punctuation", r[4].Reason);
        Assert.Equal("non_ascii_start", r[5].Reason);
        Assert.Equal("blacklist:images", r[6].Reason);
        Assert.Equal("too_long", InstructionRules.Check(string.Join(' ', Enumerable.Repeat("word", 151)), InstructionRules.SelfInstructBlacklist));
        Assert.Null(InstructionRules.Check(string.Join(' ', Enumerable.Repeat("word", 150)), InstructionRules.SelfInstructBlacklist));
        Assert.Null(InstructionRules.Check("Explain the mapping of keys", InstructionRules.SelfInstructBlacklist)); // "map" only as a whole word
        Assert.All(SelfInstructParsing.ParseInstructions(text, finishedByLength: true), x => Assert.Equal("finish_reason_length", x.Reason));
    }

    [Fact]
    public void InstancePostProcessingFollowsPrepareForFinetuning()
    {
        var gen = SelfInstructParsing.ParseGenerationInstances(
            "Example 1\nInput: a\nOutput: b\nExample 2\nInput: c\nOutput: c\nExample 3\nInput: d\nOutput:\nExample 4\nInput: e:\nOutput: f\nExample 5\nInput: a\nOutput: b\nExample 6\nInput: g\nOutput: h",
            finishedByLength: true);
        // The length cut-off drops the last, then input==output, empty output, trailing colon, duplicate go.
        Assert.Equal([new TaskInstance("a", "b")], gen);
        Assert.Empty(SelfInstructParsing.ParseGenerationInstances("Example 1\nInput: x\nOutput: 1\nExample 2\nInput: x\nOutput: 2", false)); // same input, different outputs
        Assert.Equal([new TaskInstance("", "42")], SelfInstructParsing.ParseGenerationInstances("Output: 42", false));
        Assert.Empty(SelfInstructParsing.ParseGenerationInstances("no structure at all", false));
        var many = string.Concat(Enumerable.Range(1, 8).Select(i => $"Example {i}\nInput: q{i}\nOutput: a{i}\n"));
        Assert.Equal(5, SelfInstructParsing.ParseGenerationInstances(many, false).Count);
        var clf = SelfInstructParsing.ParseClassificationInstances("Class label: Positive\nSentence: great\nClass label: Negative\nSentence: awful\nClass label: Neu", true);
        Assert.Equal([new TaskInstance("Sentence: great", "Positive"), new TaskInstance("Sentence: awful", "Negative")], clf);
        Assert.Equal(("Sentence: hi", "x"), SelfInstructParsing.ParseInputOutput("Input: Sentence: hi\nOutput: x\nInput: more"));
    }

    [Fact]
    public async Task PipelineKeepsOnlyNovelFilteredInstructionsWithProvenance()
    {
        await using var server = await FakeOpenAIServer.StartAsync(FakeTeacher.Answer);
        var dir = TempDir();
        using var pool = Pool(server);
        using var store = GenerationStore.Open(Path.Combine(dir, "store.jsonl"), resume: false);
        var seeds = Seeds();
        var options = new SelfInstructOptions { NumInstructionsToGenerate = 25, RequestsPerRound = 4 };
        var result = await new SelfInstructPipeline(new TeacherSession(pool, store), seeds, options).RunAsync();

        Assert.True(result.Instructions.Count >= 25);
        Assert.True(result.Rejected > 0);
        Assert.All(result.Instructions, i => Assert.Null(InstructionRules.Check(i, InstructionRules.SelfInstructBlacklist)));
        // Novelty: nothing kept is within ROUGE-L 0.7 of a seed or of an earlier kept instruction.
        Assert.All(NaiveNoveltyFilter.Filter(seeds.Select(s => s.Instruction).ToList(), result.Instructions), Assert.True);
        // Bootstrap prompts: 8 in-context instructions, the paper's decoding settings; after round one, 2 are machine-written.
        var boot = server.Received.Where(r => r.Prompt.StartsWith("Come up with a series", StringComparison.Ordinal)).ToList();
        Assert.All(boot, r => Assert.EndsWith("\n9.", r.Prompt));
        Assert.All(boot, r => { Assert.Equal(0.7, r.Temperature!.Value, 5); Assert.Equal(0.5, r.TopP!.Value, 5); Assert.Equal(2.0, r.PresencePenalty!.Value, 5); Assert.Equal(1024, r.MaxTokens); });
        var seedSet = seeds.Select(s => s.Instruction).ToHashSet();
        var late = boot.Where(r => r.Prompt.Split('\n').Skip(1).SkipLast(1).Count(l => !seedSet.Contains(l[(l.IndexOf(". ", StringComparison.Ordinal) + 2)..])) == 2).ToList();
        Assert.NotEmpty(late);
        Assert.All(boot, r => Assert.Equal(8, r.Prompt.Split('\n').Length - 2));
        // Classification identification and both instance templates were used.
        Assert.Contains(server.Received, r => r.Prompt.StartsWith("Given the classification task", StringComparison.Ordinal));
        Assert.Contains(server.Received, r => r.Prompt.StartsWith("Come up with examples", StringComparison.Ordinal));
        Assert.NotEmpty(result.Tasks);
        Assert.All(result.Tasks, t => Assert.InRange(t.Instances.Count, 1, 5));
        Assert.Contains(result.Tasks, t => t.IsClassification);
        // Provenance: every candidate is in the store with its reason, seeds and teacher.
        var recs = JsonRecords.Read(store.Path).Where(r => r["type"]!.GetValue<string>() == "instruction").ToList();
        Assert.Equal(result.Instructions.Count + result.Rejected, recs.Count);
        Assert.Contains(recs, r => r["reason"]?.GetValue<string>() == "rouge_l" && r["rouge_l"]!.GetValue<double>() > 0.7);
        Assert.Contains(recs, r => r["reason"]?.GetValue<string>() == "blacklist:map");
        Assert.All(recs, r => Assert.Equal(8, r["prompt_instructions"]!.AsArray().Count));
        SelfInstructPipeline.WriteOutputs(dir, result);
        Assert.Equal(result.Tasks.Sum(t => t.Instances.Count), JsonRecords.Read(Path.Combine(dir, "finetuning_data.jsonl")).Count);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task ResumeAfterInterruptionContinuesExactlyWithoutDuplicateRequests()
    {
        await using var server = await FakeOpenAIServer.StartAsync(FakeTeacher.Answer);
        var seeds = Seeds();
        var options = new SelfInstructOptions { NumInstructionsToGenerate = 30, RequestsPerRound = 4 };

        // Reference: one uninterrupted run.
        var refDir = TempDir();
        SelfInstructResult reference;
        using (var pool = Pool(server))
        using (var store = GenerationStore.Open(Path.Combine(refDir, "store.jsonl"), false))
            reference = await new SelfInstructPipeline(new TeacherSession(pool, store), seeds, options).RunAsync();
        int referenceRequests = server.Received.Count;

        // Interrupted run: cancelled after some responses, then a torn half-line as a killed process leaves.
        var dir = TempDir();
        var path = Path.Combine(dir, "store.jsonl");
        int before = server.Received.Count;
        using (var cts = new CancellationTokenSource())
        using (var pool = Pool(server))
        using (var store = GenerationStore.Open(path, false))
        {
            var session = new TeacherSession(pool, store);
            var progress = new Progress<SynthesisProgress>();
            var run = new SelfInstructPipeline(session, seeds, options).RunAsync(cts.Token);
            while (session.Sent < 9 && !run.IsCompleted) await Task.Delay(5);
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        }
        File.AppendAllText(path, "{\"type\":\"response\",\"key\":\"bootstrap/9");
        int firstRun = server.Received.Count - before;
        Assert.InRange(firstRun, 9, referenceRequests - 1);
        Assert.Throws<IOException>(() => GenerationStore.Open(path, resume: false));

        SelfInstructResult resumed;
        using (var pool = Pool(server))
        using (var store = GenerationStore.Open(path, resume: true))
            resumed = await new SelfInstructPipeline(new TeacherSession(pool, store), seeds, options).RunAsync();

        Assert.Equal(reference.Instructions, resumed.Instructions);
        Assert.Equal(reference.Tasks.Select(t => (t.Instruction, t.Instances.Count)), resumed.Tasks.Select(t => (t.Instruction, t.Instances.Count)));
        // Requests answered and stored before the interruption were not sent again (in-flight ones at the cancel may be).
        var storedKeys = JsonRecords.Read(path).Where(r => r["type"]!.GetValue<string>() == "response").Select(r => r["key"]!.GetValue<string>()).ToList();
        Assert.Equal(storedKeys.Count, storedKeys.Distinct().Count());
        Assert.True(server.Received.Count - before <= referenceRequests + 8, "only requests in flight at the interruption may repeat");
        var keys = JsonRecords.Read(path).Where(r => r["key"] != null && r["type"]!.GetValue<string>() != "response").Select(r => r["key"]!.GetValue<string>()).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count()); // no derived record written twice
        Directory.Delete(refDir, true);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task TokenCapStopsCleanlyWithinTheCap()
    {
        await using var server = await FakeOpenAIServer.StartAsync(FakeTeacher.Answer);
        var dir = TempDir();
        var budget = new Budget(maxTokens: 6000);
        using var pool = Pool(server, budget);
        using var store = GenerationStore.Open(Path.Combine(dir, "store.jsonl"), false);
        var result = await new SelfInstructPipeline(new TeacherSession(pool, store), Seeds(), new SelfInstructOptions { NumInstructionsToGenerate = 500, RequestsPerRound = 4 }).RunAsync();
        Assert.True(result.StoppedByBudget);
        Assert.True(budget.SpentTokens <= 6000, $"spent {budget.SpentTokens}");
        Assert.True(budget.SpentTokens > 0);
        Assert.True(result.Instructions.Count < 500);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void DryRunEstimateScalesWithTheTarget()
    {
        var ep = new TeacherEndpoint { BaseUrl = new Uri("http://127.0.0.1:1/v1/"), Model = "m", InputPricePerMillion = 1, OutputPricePerMillion = 2 };
        var small = new SelfInstructPipeline(null!, Seeds(), new SelfInstructOptions { NumInstructionsToGenerate = 100 }).Estimate([ep]);
        var large = new SelfInstructPipeline(null!, Seeds(), new SelfInstructOptions { NumInstructionsToGenerate = 10_000 }).Estimate([ep]);
        Assert.True(large.Requests > 50 * small.Requests);
        Assert.Equal((small.PromptTokens * 1 + small.MaxCompletionTokens * 2) / 1e6, small.MaxCost, 9);
    }
}
