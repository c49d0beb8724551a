using System.Text.Json;
using Feynman.Data;
using Feynman.Nn;
using Feynman.Paradigms.ActiveLearning;
using Feynman.Tensors;
using Feynman.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Feynman.Web;

/// <summary>
/// The annotation app's API (ASP.NET Core minimal API, bound to 127.0.0.1 by default): <c>GET /api/health</c>
/// (open), and with <c>Authorization: Bearer TOKEN</c> <c>GET /api/queue?n=K</c> (the items the strategy picks
/// from those nobody has labelled, with the student's prediction and confidence) and <c>POST /api/labels</c>.
/// Bad input gets a 4xx with a message and stores nothing.
/// </summary>
public static class AnnotationServer
{
    /// <summary>Largest accepted request body (a label is a few dozen bytes).</summary>
    public const long MaxBodyBytes = 4096;

    public static WebApplication Build(LabelStore store, IDataset pool, Module student, IQueryStrategy strategy, string host = "127.0.0.1", int port = 5117)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{host}:{port}");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxBodyBytes);
        var app = builder.Build();
        var modelLock = new Lock();
        int classes = pool.ClassNames.Count;

        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (path.StartsWithSegments("/api") && !path.Equals("/api/health"))
            {
                var header = context.Request.Headers.Authorization.ToString();
                var annotator = header.StartsWith("Bearer ", StringComparison.Ordinal) ? store.Authenticate(header["Bearer ".Length..].Trim()) : null;
                if (annotator is null)
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    await context.Response.WriteAsJsonAsync(new { error = "a valid 'Authorization: Bearer <token>' header is required (feynman annotators add NAME)." });
                    return;
                }
                context.Items["annotator"] = annotator;
            }
            await next(context);
        });

        app.MapGet("/api/health", () => Results.Ok(new { status = "ok" }));

        app.MapGet("/api/queue", (int? n) =>
        {
            int count = n ?? 10;
            if (count is < 1 or > 1000) return Results.BadRequest(new { error = $"n must be 1..1000, got {count}." });
            var labelled = store.Labels().Select(l => l.Item).ToHashSet();
            var candidates = Enumerable.Range(0, pool.Count).Where(i => !labelled.Contains(i)).ToArray();
            if (candidates.Length == 0) return Results.Ok(Array.Empty<QueueItem>());
            lock (modelLock)
            {
                var picked = strategy.Select(new QueryContext(student, pool, candidates, [.. labelled], new Generator(0)), count);
                var probs = ModelOutputs.Probabilities(student, pool, picked);
                var items = picked.Select((id, r) =>
                {
                    var row = probs.AsSpan(r * classes, classes);
                    int arg = TensorPrimitives.IndexOfMax(row);
                    return new QueueItem(id, "image", arg, row[arg]);
                }).ToArray();
                return Results.Ok(items);
            }
        });

        app.MapPost("/api/labels", async (HttpContext context) =>
        {
            LabelRequest? body;
            try
            {
                body = await JsonSerializer.DeserializeAsync<LabelRequest>(context.Request.Body, new JsonSerializerOptions(JsonSerializerDefaults.Web));
            }
            catch (JsonException ex)
            {
                return Results.BadRequest(new { error = $"malformed JSON: {ex.Message}" });
            }
            catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return Results.Json(new { error = $"the body is larger than {MaxBodyBytes} bytes." }, statusCode: StatusCodes.Status413PayloadTooLarge);
            }
            if (body?.Item is not int item || body.Label is not int label)
                return Results.BadRequest(new { error = "the body must be {\"item\": ID, \"label\": L}." });
            if ((uint)item >= (uint)pool.Count) return Results.BadRequest(new { error = $"unknown item {item}; items are 0..{pool.Count - 1}." });
            if ((uint)label >= (uint)classes) return Results.BadRequest(new { error = $"label {label} is out of range 0..{classes - 1}." });
            var stored = store.AddLabel(item, label, (string)context.Items["annotator"]!);
            return Results.Created($"/api/labels/{stored.Id}", new { id = stored.Id, item, label, annotator = stored.Annotator, at = stored.At });
        });
        return app;
    }
}
