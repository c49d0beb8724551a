using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Feynman.Tests.Support;

namespace Feynman.Tests.Synthesis.Support;

/// <summary>A chat request as the fake server received it.</summary>
public sealed record FakeRequest(int Index, string Model, IReadOnlyList<(string Role, string Content)> Messages, double? Temperature, double? TopP,
    double? PresencePenalty, int? MaxTokens, IReadOnlyList<string> Stop)
{
    public string Prompt => string.Join("\n", Messages.Select(m => m.Content));
}

/// <summary>The fake server's answer: content and finish_reason ("stop" or "length").</summary>
public sealed record FakeReply(string Content, string FinishReason = "stop");

/// <summary>A fault injected in place of an answer.</summary>
public sealed record FakeFault(int Status, string? RetryAfter = null, TimeSpan Delay = default);

/// <summary>
/// An OpenAI-compatible chat-completions server on 127.0.0.1 (random port) for tests: answers with a deterministic
/// responder, and injects queued faults (429 with Retry-After, 500, a hang that the client must time out).
/// </summary>
public sealed class FakeOpenAIServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Func<FakeRequest, FakeReply> _responder;
    private int _index, _current, _maxConcurrent;

    private FakeOpenAIServer(WebApplication app, Func<FakeRequest, FakeReply> responder)
    {
        _app = app;
        _responder = responder;
    }

    public Uri BaseUrl { get; private set; } = null!;
    public ConcurrentQueue<FakeFault> Faults { get; } = new();
    public ConcurrentQueue<FakeRequest> Received { get; } = new();
    public TimeSpan Latency { get; set; }
    public int Answered;
    public int MaxConcurrent => Volatile.Read(ref _maxConcurrent);

    public static async Task<FakeOpenAIServer> StartAsync(Func<FakeRequest, FakeReply> responder)
    {
        FakeOpenAIServer? server = null;
        var (app, baseUrl) = await LoopbackChatServer.StartAsync(ctx => server!.HandleAsync(ctx));
        server = new FakeOpenAIServer(app, responder) { BaseUrl = baseUrl };
        return server;
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        int now = Interlocked.Increment(ref _current);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxConcurrent)) && Interlocked.CompareExchange(ref _maxConcurrent, now, seen) != seen) { }
        try
        {
            var body = await JsonNode.ParseAsync(ctx.Request.Body) as JsonObject ?? throw new InvalidDataException("body is not a JSON object");
            var messages = LoopbackChatServer.Messages(body);
            var stop = body["stop"] switch
            {
                JsonArray a => a.Select(x => x!.GetValue<string>()).ToList(),
                JsonValue v => [v.GetValue<string>()],
                _ => new List<string>(),
            };
            var req = new FakeRequest(Interlocked.Increment(ref _index), body["model"]?.GetValue<string>() ?? "",
                messages, body["temperature"]?.GetValue<double>(), body["top_p"]?.GetValue<double>(), body["presence_penalty"]?.GetValue<double>(),
                (body["max_completion_tokens"] ?? body["max_tokens"])?.GetValue<int>(), stop);
            Received.Enqueue(req);
            if (Latency > TimeSpan.Zero) await Task.Delay(Latency, ctx.RequestAborted);
            if (Faults.TryDequeue(out var fault))
            {
                if (fault.Delay > TimeSpan.Zero) await Task.Delay(fault.Delay, ctx.RequestAborted);
                ctx.Response.StatusCode = fault.Status;
                if (fault.RetryAfter != null) ctx.Response.Headers["Retry-After"] = fault.RetryAfter;
                await ctx.Response.WriteAsJsonAsync(new { error = new { message = $"injected {fault.Status}", type = "injected" } });
                return;
            }
            var reply = _responder(req);
            int promptTokens = req.Prompt.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
            int completionTokens = reply.Content.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
            Interlocked.Increment(ref Answered);
            await ctx.Response.WriteAsJsonAsync(new
            {
                id = $"chatcmpl-{req.Index}",
                @object = "chat.completion",
                created = 1_700_000_000,
                model = req.Model,
                choices = new[] { new { index = 0, message = new { role = "assistant", content = reply.Content }, finish_reason = reply.FinishReason } },
                usage = new { prompt_tokens = promptTokens, completion_tokens = completionTokens, total_tokens = promptTokens + completionTokens },
            });
        }
        catch (OperationCanceledException) { }
        finally
        {
            Interlocked.Decrement(ref _current);
        }
    }

    public ValueTask DisposeAsync() => LoopbackChatServer.StopAsync(_app);
}
