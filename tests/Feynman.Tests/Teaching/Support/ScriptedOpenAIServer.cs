using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Feynman.Tests.Support;

namespace Feynman.Tests.Teaching.Support;

/// <summary>A chat request as the scripted server received it, with the settings the labeller controls.</summary>
public sealed record ScriptedRequest(int Index, string Model, IReadOnlyList<(string Role, string Content)> Messages, double? Temperature, long? Seed,
    bool LogProbs, int? TopLogProbs)
{
    /// <summary>The last user turn (the text being labelled, or a correction after an invalid answer).</summary>
    public string LastUser => Messages.Last(m => m.Role == "user").Content;

    public string Prompt => string.Join("\n", Messages.Select(m => m.Content));
}

/// <summary>One generated token with its top alternatives, as the server sends it in choices[0].logprobs.content.</summary>
public sealed record ScriptedToken(string Token, double LogProb, IReadOnlyList<(string Token, double LogProb)> Top);

/// <summary>The scripted answer: content and optional token logprobs, or an HTTP error status, optionally after a delay.</summary>
public sealed record ScriptedReply(string Content, IReadOnlyList<ScriptedToken>? LogProbs = null, int Status = 200, TimeSpan Delay = default);

/// <summary>
/// An OpenAI-compatible chat-completions server on 127.0.0.1 for the labelling tests: a deterministic script decides
/// each answer (including top_logprobs, invalid labels, errors and hangs) from the request; usage is counted in words.
/// </summary>
public sealed class ScriptedOpenAIServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _index;

    private ScriptedOpenAIServer(WebApplication app, Func<ScriptedRequest, ScriptedReply> script)
    {
        _app = app;
        Script = script;
    }

    public Uri BaseUrl { get; private set; } = null!;
    public Func<ScriptedRequest, ScriptedReply> Script { get; set; }
    public ConcurrentQueue<ScriptedRequest> Received { get; } = new();

    public static async Task<ScriptedOpenAIServer> StartAsync(Func<ScriptedRequest, ScriptedReply> script)
    {
        ScriptedOpenAIServer? server = null;
        var (app, baseUrl) = await LoopbackChatServer.StartAsync(ctx => server!.HandleAsync(ctx));
        server = new ScriptedOpenAIServer(app, script) { BaseUrl = baseUrl };
        return server;
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        try
        {
            var body = await JsonNode.ParseAsync(ctx.Request.Body) as JsonObject ?? throw new InvalidDataException("body is not a JSON object");
            var messages = LoopbackChatServer.Messages(body);
            var req = new ScriptedRequest(Interlocked.Increment(ref _index), body["model"]?.GetValue<string>() ?? "", messages,
                body["temperature"]?.GetValue<double>(), body["seed"]?.GetValue<long>(), body["logprobs"]?.GetValue<bool>() ?? false,
                body["top_logprobs"]?.GetValue<int>());
            Received.Enqueue(req);
            var reply = Script(req);
            if (reply.Delay > TimeSpan.Zero) await Task.Delay(reply.Delay, ctx.RequestAborted);
            if (reply.Status != 200)
            {
                ctx.Response.StatusCode = reply.Status;
                await ctx.Response.WriteAsJsonAsync(new { error = new { message = $"scripted {reply.Status}", type = "scripted" } });
                return;
            }
            int prompt = req.Prompt.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
            int completion = Math.Max(1, reply.Content.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length);
            var choice = new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = reply.Content },
                ["finish_reason"] = "stop",
            };
            if (req.LogProbs && reply.LogProbs is { } tokens)
            {
                var content = new JsonArray();
                foreach (var t in tokens)
                {
                    var top = new JsonArray();
                    foreach (var (tok, lp) in t.Top.Take(req.TopLogProbs ?? 0)) top.Add(new JsonObject { ["token"] = tok, ["logprob"] = lp, ["bytes"] = null });
                    content.Add(new JsonObject { ["token"] = t.Token, ["logprob"] = t.LogProb, ["bytes"] = null, ["top_logprobs"] = top });
                }
                choice["logprobs"] = new JsonObject { ["content"] = content, ["refusal"] = null };
            }
            var response = new JsonObject
            {
                ["id"] = $"chatcmpl-{req.Index}",
                ["object"] = "chat.completion",
                ["created"] = 1_700_000_000,
                ["model"] = req.Model,
                ["choices"] = new JsonArray(choice),
                ["usage"] = new JsonObject { ["prompt_tokens"] = prompt, ["completion_tokens"] = completion, ["total_tokens"] = prompt + completion },
            };
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(response.ToJsonString());
        }
        catch (OperationCanceledException) { }
    }

    public ValueTask DisposeAsync() => LoopbackChatServer.StopAsync(_app);
}
