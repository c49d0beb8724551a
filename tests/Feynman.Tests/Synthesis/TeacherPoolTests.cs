using System.Net;
using Feynman.Synthesis.Teachers;
using Feynman.Tests.Synthesis.Support;
using Microsoft.Extensions.AI;

namespace Feynman.Tests.Synthesis;

public class TeacherPoolTests
{
    private static TeacherEndpoint Endpoint(FakeOpenAIServer s, string model = "teacher-1", int capacity = 16) =>
        new() { BaseUrl = s.BaseUrl, Model = model, ApiKeyVariable = null, MaxConcurrency = capacity, InputPricePerMillion = 1_000, OutputPricePerMillion = 2_000 };

    // Attempt timeouts are generous because the machine may be busy; the timeout test sets its own.
    internal static TeacherPoolOptions Fast(int inFlight = 8, int retries = 4, double timeoutSeconds = 20) => new()
    {
        MaxInFlight = inFlight, MaxRetries = retries, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromSeconds(2),
        AttemptTimeout = TimeSpan.FromSeconds(timeoutSeconds),
    };

    private static FakeReply Echo(FakeRequest r) => new("echo: " + r.Prompt);

    [Fact]
    public async Task AdapterSendsDecodingSettingsAndMapsFinishReasonAndUsage()
    {
        await using var server = await FakeOpenAIServer.StartAsync(r => new FakeReply("one two three", r.Prompt.Contains("long") ? "length" : "stop"));
        using var client = new OpenAIChatClientAdapter(Endpoint(server, "m-7"));
        var options = new ChatOptions { Temperature = 0.7f, TopP = 0.5f, PresencePenalty = 2f, MaxOutputTokens = 64, StopSequences = ["\n\n", "16."] };
        var r1 = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "short prompt")], options);
        var r2 = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "a long prompt")], options);
        Assert.Equal("one two three", r1.Text);
        Assert.Equal(ChatFinishReason.Stop, r1.FinishReason);
        Assert.Equal(ChatFinishReason.Length, r2.FinishReason);
        Assert.Equal(2, r1.Usage!.InputTokenCount);
        Assert.Equal(3, r1.Usage!.OutputTokenCount);
        var req = server.Received.First();
        Assert.Equal("m-7", req.Model);
        Assert.Equal(0.7, req.Temperature!.Value, 5);
        Assert.Equal(0.5, req.TopP!.Value, 5);
        Assert.Equal(2.0, req.PresencePenalty!.Value, 5);
        Assert.Equal(64, req.MaxTokens);
        Assert.Equal(["\n\n", "16."], req.Stop);
    }

    [Fact]
    public async Task RetriesOn429AfterRetryAfterAnd500AndTimeouts()
    {
        await using var server = await FakeOpenAIServer.StartAsync(Echo);
        using var pool = new TeacherPool([Endpoint(server)], Fast(inFlight: 1, timeoutSeconds: 6));
        // A first request warms up the connection and the JIT, so on a busy CI machine no ordinary attempt can outlast
        // the attempt timeout and use up a retry meant for an injected fault (which once made this test fail).
        Assert.Equal("echo: warm", (await pool.GetResponseAsync([new ChatMessage(ChatRole.User, "warm")])).Text);
        server.Faults.Enqueue(new FakeFault(429, RetryAfter: "1"));
        server.Faults.Enqueue(new FakeFault(500));
        server.Faults.Enqueue(new FakeFault(200, Delay: TimeSpan.FromSeconds(60))); // hangs past the attempt timeout
        server.Faults.Enqueue(new FakeFault(503));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var r = await pool.GetResponseAsync([new ChatMessage(ChatRole.User, "hello")]);
        Assert.Equal("echo: hello", r.Text);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(1), "the 429's Retry-After of 1 s must be honoured");
        Assert.Equal(4, pool.Retries);
        Assert.Equal(6, server.Received.Count);
        var usage = Assert.Single(pool.Usage());
        Assert.Equal(2, usage.Requests);
        Assert.Equal(4, usage.FailedAttempts);
        Assert.Equal("teacher-1@" + server.BaseUrl.Authority, r.AdditionalProperties!["teacher"]);
    }

    [Fact]
    public async Task DoesNotRetryClientErrorsAndGivesUpAfterMaxRetries()
    {
        await using var server = await FakeOpenAIServer.StartAsync(Echo);
        server.Faults.Enqueue(new FakeFault(400));
        using var pool = new TeacherPool([Endpoint(server)], Fast(retries: 2));
        var e = await Assert.ThrowsAsync<TeacherRequestException>(() => pool.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]));
        Assert.Equal(HttpStatusCode.BadRequest, e.Status);
        Assert.Single(server.Received);
        for (int i = 0; i < 3; i++) server.Faults.Enqueue(new FakeFault(500));
        var e2 = await Assert.ThrowsAsync<TeacherRequestException>(() => pool.GetResponseAsync([new ChatMessage(ChatRole.User, "y")]));
        Assert.Equal(HttpStatusCode.InternalServerError, e2.Status);
        Assert.Equal(4, server.Received.Count);
    }

    [Fact]
    public async Task BoundsConcurrencyAndSpreadsLoadOverEndpoints()
    {
        await using var a = await FakeOpenAIServer.StartAsync(Echo);
        await using var b = await FakeOpenAIServer.StartAsync(Echo);
        a.Latency = b.Latency = TimeSpan.FromMilliseconds(40);
        using var pool = new TeacherPool([Endpoint(a, "a", capacity: 3), Endpoint(b, "b", capacity: 3)], Fast(inFlight: 6));
        var tasks = Enumerable.Range(0, 60).Select(i => pool.GetResponseAsync([new ChatMessage(ChatRole.User, $"q{i}")])).ToArray();
        var answers = await Task.WhenAll(tasks);
        for (int i = 0; i < 60; i++) Assert.Equal($"echo: q{i}", answers[i].Text);
        Assert.True(a.MaxConcurrent + b.MaxConcurrent <= 6 + 1, $"in flight {a.MaxConcurrent}+{b.MaxConcurrent}");
        Assert.True(a.MaxConcurrent > 1 && b.MaxConcurrent > 1, "requests must overlap");
        Assert.InRange(a.Answered, 15, 45);
        Assert.Equal(60, a.Answered + b.Answered);
    }

    [Fact]
    public async Task BudgetCapRefusesTheRequestThatCouldExceedIt()
    {
        await using var server = await FakeOpenAIServer.StartAsync(r => new FakeReply("ok ok"));
        // Each request reserves (prompt chars + 2) / 3 + max_tokens = 1 + 10 = 11 tokens; actual use is 1 + 2 = 3.
        var budget = new Budget(maxTokens: 19);
        using var pool = new TeacherPool([Endpoint(server)], Fast(), budget);
        var opts = new ChatOptions { MaxOutputTokens = 10 };
        await pool.GetResponseAsync([new ChatMessage(ChatRole.User, "hey")], opts);
        Assert.Equal(3, budget.SpentTokens);
        await pool.GetResponseAsync([new ChatMessage(ChatRole.User, "hey")], opts);
        Assert.Equal(6, budget.SpentTokens);
        await pool.GetResponseAsync([new ChatMessage(ChatRole.User, "hey")], opts); // 6 + 11 <= 19, then 9 + 11 > 19
        Assert.Equal(9, budget.SpentTokens);
        await Assert.ThrowsAsync<BudgetExceededException>(() => pool.GetResponseAsync([new ChatMessage(ChatRole.User, "hey")], opts));
        Assert.True(budget.Exhausted);
        Assert.Equal(3, server.Received.Count);
        // Cost: 1 input token at $1000/M and 2 output tokens at $2000/M per request.
        Assert.Equal(3 * (1 * 1000 + 2 * 2000) / 1e6, pool.TotalCost, 12);
    }

    [Fact]
    public void ParsesRetryAfterSecondsDatesAndMilliseconds()
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromSeconds(7), TeacherRequestException.ParseRetryAfter("7", null, now));
        Assert.Equal(TimeSpan.FromMilliseconds(250), TeacherRequestException.ParseRetryAfter("7", "250", now));
        Assert.Equal(TimeSpan.FromSeconds(30), TeacherRequestException.ParseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", null, now));
        Assert.Null(TeacherRequestException.ParseRetryAfter(null, null, now));
    }
}
