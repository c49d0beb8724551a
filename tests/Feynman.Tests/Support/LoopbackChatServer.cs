using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Feynman.Tests.Support;

/// <summary>What the test OpenAI-compatible servers share: hosting /v1/chat/completions on 127.0.0.1 at a free port,
/// and reading a request's messages (content as a string or as text parts).</summary>
public static class LoopbackChatServer
{
    /// <summary>Starts the app; returns it and the base URL the OpenAI client is given (".../v1/").</summary>
    public static async Task<(WebApplication App, Uri BaseUrl)> StartAsync(RequestDelegate chatCompletions)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/v1/chat/completions", chatCompletions);
        await app.StartAsync();
        return (app, new Uri(app.Urls.First().TrimEnd('/') + "/v1/"));
    }

    public static List<(string Role, string Content)> Messages(JsonObject body) =>
        body["messages"]!.AsArray().Select(m => (m!["role"]!.GetValue<string>(), ContentOf(m["content"]))).ToList();

    private static string ContentOf(JsonNode? content) => content switch
    {
        JsonValue v => v.GetValue<string>(),
        JsonArray parts => string.Concat(parts.Select(p => p?["text"]?.GetValue<string>() ?? "")),
        _ => "",
    };

    public static async ValueTask StopAsync(WebApplication app)
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
