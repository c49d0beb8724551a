using System.Text.Json;
using System.Text.Json.Serialization;
using Feynman.Data;
using Feynman.Nn;
using Feynman.Paradigms.ActiveLearning;
using Feynman.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Feynman.Web;

/// <summary>
/// The annotation app (ASP.NET Core minimal API, bound to 127.0.0.1 by default). Pages: <c>/login</c>,
/// <c>/label</c>, <c>/progress</c> (self-contained HTML, CSS and JS embedded in this assembly). API:
/// <c>GET /api/health</c> (open), and with <c>Authorization: Bearer TOKEN</c> <c>GET /api/me</c>,
/// <c>GET /api/status</c> (student version, learning curve, label counts), <c>GET /api/queue?n=K</c> (the
/// items the strategy picks from those nobody has labelled, with the student's prediction and confidence),
/// <c>GET /api/items/{id}</c>, <c>GET /api/items/{id}/image.png</c>, <c>POST /api/labels</c> and
/// <c>POST /api/labels/undo</c>. Bad input gets a 4xx with a message and stores nothing. A background
/// service retrains the student every <see cref="AnnotationOptions.RetrainEvery"/> labels.
/// </summary>
public static class AnnotationServer
{
    /// <summary>Largest accepted request body (a label is a few dozen bytes).</summary>
    public const long MaxBodyBytes = 4096;

    // The web defaults read numbers from strings ("label": "3"); a label must be a JSON integer.
    private static readonly JsonSerializerOptions LabelJson = new(JsonSerializerDefaults.Web) { NumberHandling = JsonNumberHandling.Strict };

    private const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' blob: data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

    private static readonly Dictionary<string, (string Resource, string ContentType)> Pages = new(StringComparer.Ordinal)
    {
        ["/login"] = ("login.html", "text/html; charset=utf-8"),
        ["/label"] = ("label.html", "text/html; charset=utf-8"),
        ["/progress"] = ("progress.html", "text/html; charset=utf-8"),
        ["/assets/app.css"] = ("app.css", "text/css; charset=utf-8"),
        ["/assets/app.js"] = ("app.js", "text/javascript; charset=utf-8"),
    };

    /// <summary>The app without retraining (the student stays as given).</summary>
    public static WebApplication Build(LabelStore store, IDataset pool, Module student, IQueryStrategy strategy, string host = "127.0.0.1", int port = 5117) =>
        Build(store, pool, student, strategy, new AnnotationOptions { Host = host, Port = port });

    /// <summary>The app; the <see cref="AnnotationSession"/> behind it is <c>app.Services.GetRequiredService&lt;AnnotationSession&gt;()</c>.</summary>
    public static WebApplication Build(LabelStore store, IDataset pool, Module student, IQueryStrategy strategy, AnnotationOptions options)
    {
        var session = new AnnotationSession(store, pool, student, strategy, options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{options.Host}:{options.Port}");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxBodyBytes);
        builder.Services.AddSingleton(session);
        builder.Services.AddHostedService<RetrainingService>();
        var app = builder.Build();
        int classes = pool.ClassNames.Count;
        var assets = Pages.ToDictionary(p => p.Key, p => (Bytes: LoadResource(p.Value.Resource), p.Value.ContentType));

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

        // Pages hold no data: they are open, and every /api call they make carries the token.
        app.MapGet("/", () => Results.Redirect("/label"));
        foreach (var (route, asset) in assets)
            app.MapGet(route, (HttpContext context) =>
            {
                context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
                context.Response.Headers.XContentTypeOptions = "nosniff";
                context.Response.Headers.CacheControl = "no-cache";
                return Results.Bytes(asset.Bytes, asset.ContentType);
            });

        app.MapGet("/api/health", () => Results.Ok(new { status = "ok" }));

        app.MapGet("/api/me", (HttpContext context) => Results.Ok(new { annotator = Annotator(context) }));

        app.MapGet("/api/status", (HttpContext context) =>
        {
            var student = session.Current;
            return Results.Ok(new
            {
                annotator = Annotator(context),
                pool = new { name = pool.Name, count = pool.Count, kind = session.Kind },
                classes = pool.ClassNames,
                strategy = strategy.Name,
                model = new
                {
                    version = student.Version, labels = student.Labels, accuracy = student.Accuracy, at = student.At,
                    retraining = session.IsRetraining, retrainEvery = session.RetrainingEnabled ? options.RetrainEvery : 0,
                    labelsUntilRetrain = session.LabelsUntilRetrain, error = session.LastError,
                },
                curve = session.Curve,
                stats = AnnotationStatistics.Compute(store.Labels(includeRetracted: true), classes),
            });
        });

        app.MapGet("/api/queue", (int? n) =>
        {
            int count = n ?? 10;
            if (count is < 1 or > 1000) return Results.BadRequest(new { error = $"n must be 1..1000, got {count}." });
            return Results.Ok(session.Queue(count));
        });

        app.MapGet("/api/items/{id:int}", (int id) =>
            (uint)id >= (uint)pool.Count ? UnknownItem(id, pool) : Results.Ok(session.Describe(id)));

        app.MapGet("/api/items/{id:int}/image.png", (int id, HttpContext context) =>
        {
            if ((uint)id >= (uint)pool.Count) return UnknownItem(id, pool);
            if (options.ItemText is not null || !ItemImages.CanRender(pool))
                return Results.NotFound(new { error = $"items of {pool.Name} (shape [{string.Join(", ", pool.SampleShape)}]) are not images." });
            context.Response.Headers.CacheControl = "private, max-age=3600";
            return Results.Bytes(ItemImages.Png(pool, id), "image/png");
        });

        app.MapPost("/api/labels", async (HttpContext context) =>
        {
            LabelRequest? body;
            try
            {
                body = await JsonSerializer.DeserializeAsync<LabelRequest>(context.Request.Body, LabelJson);
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
            if ((uint)item >= (uint)pool.Count) return UnknownItem(item, pool, StatusCodes.Status400BadRequest);
            if ((uint)label >= (uint)classes) return Results.BadRequest(new { error = $"label {label} is out of range 0..{classes - 1}." });
            var stored = session.AddLabel(item, label, Annotator(context));
            return Results.Created($"/api/labels/{stored.Id}", new { id = stored.Id, item, label, annotator = stored.Annotator, at = stored.At });
        });

        app.MapPost("/api/labels/undo", (HttpContext context) =>
        {
            var undone = store.RetractLast(Annotator(context));
            return undone is null
                ? Results.NotFound(new { error = "nothing to undo: you hold no labels that are not retracted." })
                : Results.Ok(new { id = undone.Id, item = undone.Item, label = undone.Label, annotator = undone.Annotator, at = undone.At, retractedAt = undone.RetractedAt });
        });
        return app;
    }

    private static string Annotator(HttpContext context) => (string)context.Items["annotator"]!;

    private static IResult UnknownItem(int id, IDataset pool, int status = StatusCodes.Status404NotFound) =>
        Results.Json(new { error = $"unknown item {id}; items are 0..{pool.Count - 1}." }, statusCode: status);

    private static byte[] LoadResource(string name)
    {
        using var stream = typeof(AnnotationServer).Assembly.GetManifestResourceStream("Feynman.Web.Pages." + name)
            ?? throw new InvalidOperationException($"the page {name} is missing from the Feynman.Web assembly (an EmbeddedResource under Pages/).");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
