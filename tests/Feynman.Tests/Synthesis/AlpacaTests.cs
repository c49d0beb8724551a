using System.Text.Json.Nodes;
using Feynman.Synthesis;
using Feynman.Synthesis.Alpaca;
using Feynman.Synthesis.Filters;
using Feynman.Synthesis.Storage;
using Feynman.Tests.Synthesis.Support;

namespace Feynman.Tests.Synthesis;

public class AlpacaTests
{
    [Fact]
    public void PromptListsThreeDemonstrationsAndOpensTheFourth()
    {
        var p = AlpacaParsing.EncodePrompt("HEADER\n", [new("Add:", "", "x"), new("Sort  it", "3 1", "1 3"), new("Name a color", "", "red")]);
        Assert.Equal("HEADER\n\n###\n1. Instruction: Add\n1. Input:\n<noinput>\n1. Output:\nx\n###\n2. Instruction: Sort it\n2. Input:\n3 1\n2. Output:\n1 3\n" +
                     "###\n3. Instruction: Name a color\n3. Input:\n<noinput>\n3. Output:\nred\n###\n4. Instruction:", p);
    }

    [Fact]
    public void ParsesHashSeparatedTriplesAndAppliesTheRules()
    {
        string text = " Give three tips for staying healthy.\n4. Input:\n<noinput>\n4. Output:\nEat well, sleep, move.\n###\n" +
                      "5. Instruction: Create a flowchart for making tea\n5. Input:\n<noinput>\n5. Output:\n...\n###\n" +
                      "6. Instruction: Translate the sentence into French.\n6. Input:\nI like cats.\n6. Output:\nJ'aime les chats.\n###\n" +
                      "7. Instruction: garbled without fields\n###\n" +
                      "8. Instruction: Summarize the following article in two sentences please\n8. Input:\ntext\n8. Out";
        var r = AlpacaParsing.ParseResponse(text, finishedByLength: true);
        Assert.Equal((new AlpacaExample("Give three tips for staying healthy.", "", "Eat well, sleep, move."), (string?)null), r[0]);
        Assert.Equal("blacklist:flowchart", r[1].Reason);
        Assert.Equal((new AlpacaExample("Translate the sentence into French.", "I like cats.", "J'aime les chats."), (string?)null), r[2]);
        Assert.Equal("unparsable", r[3].Reason);
        Assert.Equal("finish_reason_length", r[4].Reason);
        // Without the length cut-off the last piece is parsed (and here it is unparsable, missing its output field).
        Assert.Equal("unparsable", AlpacaParsing.ParseResponse(text, finishedByLength: false)[4].Reason);
        Assert.Equal(18, InstructionRules.AlpacaBlacklist.Count);
    }

    [Fact]
    public void TrainingPromptIsAlpacas()
    {
        var t = new PromptTemplates();
        Assert.Equal("Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nSay hi\n\n### Response:",
            AlpacaParsing.TrainingPrompt(new AlpacaExample("Say hi", "", "hi"), t));
        Assert.Equal("Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.\n\n### Instruction:\nEcho\n\n### Input:\nabc\n\n### Response:",
            AlpacaParsing.TrainingPrompt(new AlpacaExample("Echo", "abc", "abc"), t));
    }

    [Fact]
    public async Task PipelineWritesAlpacaDataOfNovelInstructions()
    {
        await using var server = await FakeOpenAIServer.StartAsync(FakeTeacher.Answer);
        var dir = SelfInstructTests.TempDir();
        using var pool = SelfInstructTests.Pool(server);
        using var store = GenerationStore.Open(Path.Combine(dir, "store.jsonl"), false);
        var seeds = SelfInstructTests.Seeds();
        var result = await new AlpacaPipeline(new Feynman.Synthesis.Teachers.TeacherSession(pool, store), seeds, new AlpacaOptions { NumInstructionsToGenerate = 20, RequestsPerRound = 3 }).RunAsync();
        Assert.True(result.Examples.Count >= 20);
        Assert.True(result.Rejected > 0);
        Assert.All(NaiveNoveltyFilter.Filter(seeds.Select(s => s.Instruction).ToList(), result.Examples.Select(e => e.Instruction).ToList()), Assert.True);
        var req = server.Received.First();
        Assert.EndsWith("###\n4. Instruction:", req.Prompt);
        Assert.Equal(3072, req.MaxTokens);
        Assert.Equal(1.0, req.Temperature!.Value, 5);
        Assert.Equal(3, req.Prompt.Split("###").Length - 2);
        AlpacaPipeline.WriteOutputs(dir, result, new PromptTemplates());
        var data = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "alpaca_data.json")))!.AsArray();
        Assert.Equal(result.Examples.Count, data.Count);
        Assert.All(data, d => Assert.Equal(["instruction", "input", "output"], d!.AsObject().Select(kv => kv.Key)));
        Assert.Contains(data, d => d!["input"]!.GetValue<string>() == "");
        Directory.Delete(dir, true);
    }
}
