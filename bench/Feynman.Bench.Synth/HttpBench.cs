using System.Diagnostics;
using Feynman.Synthesis.Teachers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Feynman.Bench.Synth;

/// <summary>Request rate through <see cref="TeacherPool"/> against a local OpenAI-compatible server with fixed latency: serial vs N in flight.</summary>
public static class HttpBench
{
    public static async Task<int> Run(int requests, int latencyMs, int inFlight)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/v1/chat/completions", async (HttpContext ctx) =>
        {
            await Task.Delay(latencyMs);
            await ctx.Response.WriteAsJsonAsync(new
            {
                id = "chatcmpl-bench", @object = "chat.completion", created = 1_700_000_000, model = "bench",
                choices = new[] { new { index = 0, message = new { role = "assistant", content = "1. Write a haiku about rain." }, finish_reason = "stop" } },
                usage = new { prompt_tokens = 40, completion_tokens = 8, total_tokens = 48 },
            });
        });
        await app.StartAsync();
        var baseUrl = new Uri(app.Urls.First().TrimEnd('/') + "/v1/");
        Console.WriteLine($"teacher requests against 127.0.0.1 with {latencyMs} ms latency, {requests} requests per run");

        async Task<double> Rate(int n, int count)
        {
            using var pool = new TeacherPool([new TeacherEndpoint { BaseUrl = baseUrl, Model = "bench", ApiKeyVariable = null, MaxConcurrency = n }],
                new TeacherPoolOptions { MaxInFlight = n });
            var sw = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, count).Select(i =>
                pool.GetResponseAsync([new ChatMessage(ChatRole.User, $"Come up with a series of tasks: {i}")], new ChatOptions { MaxOutputTokens = 64 })));
            return count / sw.Elapsed.TotalSeconds;
        }

        await Rate(inFlight, 64); // warm up connections and the JIT
        double serial = await Rate(1, Math.Max(20, requests / 16));
        double parallel = await Rate(inFlight, requests);
        Console.WriteLine($"  1 in flight:  {serial,8:F1} requests/s");
        Console.WriteLine($"  {inFlight} in flight: {parallel,8:F1} requests/s");
        Console.WriteLine($"  speed-up: {parallel / serial:F1}x (target >= 20x at 32 in flight)");
        await app.StopAsync();
        return 0;
    }
}
