using Feynman.Synthesis.Teachers;
using Feynman.Tests.Teaching.Support;
using Feynman.Text.Labelling;
using Feynman.Text.Teaching;

namespace Feynman.Tests.Teaching;

public sealed class LlmExampleWriterTests : IDisposable
{
    private static readonly string[] Labels = ["ham", "spam"];
    private readonly string _dir = Directory.CreateTempSubdirectory("feynman-writer-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [Fact]
    public void ParsingAcceptsJsonLinesArraysAndFencesAndCountsTheRest()
    {
        var m = new LabelMatcher(Labels);
        var (lines, bad) = ExampleParsing.Parse("""
            Sure! Here they are:
            ```json
            1. {"text": "Win a cruise today", "label": "spam"},
            - {"text": "Notes from Monday", "label": "Ham"}
            {"message": "Server down again", "label": 0}
            {"text": "Verify your account", "label": "phishing"}
            {"text": broken json}
            {"label": "spam"}
            ```
            """, m);
        Assert.Equal([("Win a cruise today", 1), ("Notes from Monday", 0), ("Server down again", 0), ("Verify your account", -1)], lines);
        Assert.Equal(2, bad); // the broken object and the object without text (the chat before the fence is not data)
        var (array, none) = ExampleParsing.Parse("""[{"text": "a", "label": "spam"}, {"input": "b", "label": "ham"}]""", m);
        Assert.Equal([("a", 1), ("b", 0)], array);
        Assert.Equal(0, none);
    }

    [Fact]
    public async Task TheWriterShowsTheFailuresSplitsLargeRequestsAndIsCached()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync(r =>
            new ScriptedReply(string.Join("\n", Enumerable.Range(0, 3).Select(i => $$"""{"text": "example {{r.Seed}}-{{i}}", "label": "{{(i % 2 == 0 ? "spam" : "ham")}}"}"""))));
        var endpoint = new TeacherEndpoint { BaseUrl = server.BaseUrl, Model = "writer", ApiKeyVariable = null };
        var request = new ExampleRequest(Labels, [new StudentFailure("Cheap meds online, act now", 1, 0, 0.83f)], Count: 5, Round: 2, Seed: 7);
        IReadOnlyList<Feynman.Text.TextExample> first;
        {
            using var pool = new TeacherPool([endpoint], new TeacherPoolOptions { MaxRetries = 1 });
            using var cache = TeacherCallCache.Open(Path.Combine(_dir, "c.db"));
            var writer = new LlmExampleWriter(new TeacherCaller(pool, "writer", cache), new LlmExampleWriterOptions { PerRequest = 3, TextKind = "email message" });
            first = await writer.WriteAsync(request);
        }
        var sent = server.Received.OrderBy(q => q.Seed).ToList();
        Assert.Equal(2, sent.Count); // 5 examples at 3 per request
        Assert.Equal([7000L, 7001L], sent.Select(q => q.Seed!.Value));
        var prompt = sent[0].LastUser;
        Assert.Contains("true label: spam; classifier said: ham (83% sure)", prompt);
        Assert.Contains("\"Cheap meds online, act now\"", prompt);
        Assert.Contains("Write 3 new email messages", prompt);
        Assert.Contains("Write 2 new email messages", sent[1].LastUser);
        Assert.Equal(6, first.Count);
        Assert.Equal(["example 7000-0", "example 7000-1", "example 7000-2", "example 7001-0"], first.Take(4).Select(e => e.Text));
        Assert.Equal([1, 0, 1], first.Take(3).Select(e => e.Label));
        Assert.Equal(first.Count, first.Select(e => e.Id).Distinct().Count());
        {
            using var pool = new TeacherPool([endpoint], new TeacherPoolOptions { MaxRetries = 1 });
            using var cache = TeacherCallCache.Open(Path.Combine(_dir, "c.db"));
            var again = await new LlmExampleWriter(new TeacherCaller(pool, "writer", cache), new LlmExampleWriterOptions { PerRequest = 3, TextKind = "email message" }).WriteAsync(request);
            Assert.Equal(first, again);
        }
        Assert.Equal(2, server.Received.Count);
    }

    [Fact]
    public async Task AFailingWriterEndpointGivesAClearErrorAndKeepsTheAnsweredBatches()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync(r =>
            r.Seed == 1001 ? new ScriptedReply("", Status: 503) : new ScriptedReply("{\"text\": \"fine\", \"label\": \"ham\"}"));
        var endpoint = new TeacherEndpoint { BaseUrl = server.BaseUrl, Model = "writer", ApiKeyVariable = null };
        using var pool = new TeacherPool([endpoint], new TeacherPoolOptions { MaxRetries = 1, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20) });
        using var cache = TeacherCallCache.Open(Path.Combine(_dir, "f.db"));
        var writer = new LlmExampleWriter(new TeacherCaller(pool, "writer", cache), new LlmExampleWriterOptions { PerRequest = 1 });
        var ex = await Assert.ThrowsAsync<TeacherLabellingException>(() => writer.WriteAsync(new ExampleRequest(Labels, [], 2, 0, 1)));
        Assert.Contains("503", ex.Message);
        Assert.Contains("1 of 2 requests were answered", ex.Message);
        Assert.Equal(1, cache.Count);
    }
}
