using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Feynman.Nn;
using Feynman.Paradigms.ActiveLearning;
using Feynman.Tensors;
using Feynman.Tracking;
using Feynman.Web;
using Microsoft.AspNetCore.Builder;

namespace Feynman.Tests.Web;

public sealed class AnnotationServerTests : IAsyncLifetime
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "feynman-web-" + Guid.NewGuid().ToString("N"));
    private LabelStore store = null!;
    private WebApplication app = null!;
    private HttpClient client = null!;
    private string ada = "", alan = "";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(dir);
        store = LabelStore.Open(Path.Combine(dir, "labels.db"));
        ada = store.AddAnnotator("ada");
        alan = store.AddAnnotator("alan");
        var pool = Training.SyntheticData.Blobs(50, features: 4, classes: 3, seed: 3);
        var rng = new Generator(1);
        var student = new Sequential(new Linear(4, 8, rng: rng), new ReLU(), new Linear(8, 3, rng: rng));
        app = AnnotationServer.Build(store, pool, student, new MarginStrategy(), port: 0);
        await app.StartAsync();
        client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        store.Dispose();
        Directory.Delete(dir, true);
    }

    private HttpRequestMessage Request(HttpMethod method, string path, string? token, HttpContent? content = null)
    {
        var r = new HttpRequestMessage(method, path) { Content = content };
        if (token != null) r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return r;
    }

    [Fact]
    public async Task BoundToLoopbackAndOnlyHealthIsOpen()
    {
        Assert.StartsWith("http://127.0.0.1:", app.Urls.First());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/health")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/queue")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Request(HttpMethod.Get, "/api/queue", "wrong"))).StatusCode);
        var post = await client.SendAsync(Request(HttpMethod.Post, "/api/labels", null, JsonContent.Create(new { item = 1, label = 1 })));
        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
        Assert.Empty(store.Labels());
    }

    [Fact]
    public async Task QueueOffersUnlabelledItemsWithPredictions()
    {
        var response = await client.SendAsync(Request(HttpMethod.Get, "/api/queue?n=5", ada));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = (await response.Content.ReadFromJsonAsync<QueueItem[]>())!;
        Assert.Equal(5, items.Length);
        Assert.All(items, i => { Assert.Equal("image", i.Kind); Assert.InRange(i.Prediction, 0, 2); Assert.InRange(i.Confidence, 1.0 / 3 - 1e-6, 1); });
        // Once labelled, an item leaves the queue.
        await client.SendAsync(Request(HttpMethod.Post, "/api/labels", ada, JsonContent.Create(new { item = items[0].Id, label = 2 })));
        var again = (await (await client.SendAsync(Request(HttpMethod.Get, "/api/queue?n=5", ada))).Content.ReadFromJsonAsync<QueueItem[]>())!;
        Assert.DoesNotContain(again, i => i.Id == items[0].Id);
    }

    [Fact]
    public async Task BadLabelsGetA4xxAndStoreNothing()
    {
        async Task<HttpStatusCode> Post(string json) =>
            (await client.SendAsync(Request(HttpMethod.Post, "/api/labels", ada, new StringContent(json, System.Text.Encoding.UTF8, "application/json")))).StatusCode;
        Assert.Equal(HttpStatusCode.BadRequest, await Post("{\"item\": 50, \"label\": 1}"));   // unknown item
        Assert.Equal(HttpStatusCode.BadRequest, await Post("{\"item\": 3, \"label\": 3}"));    // label out of range
        Assert.Equal(HttpStatusCode.BadRequest, await Post("{\"item\": 3, "));                // malformed
        Assert.Equal(HttpStatusCode.BadRequest, await Post("{\"label\": 1}"));                // missing item
        Assert.Equal(HttpStatusCode.BadRequest, await Post("{\"item\": 3, \"label\": \"1\"}"));  // label as a string
        Assert.Equal(HttpStatusCode.BadRequest, await Post("{\"item\": \"3\", \"label\": 1}"));  // item as a string
        Assert.Equal(HttpStatusCode.BadRequest, await Post("{\"item\": 3, \"label\": 1.5}"));   // not an integer
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await Post("{\"item\": 3, \"label\": 1, \"pad\": \"" + new string('x', 10_000) + "\"}"));
        Assert.Empty(store.Labels());
        Assert.Equal(HttpStatusCode.Created, await Post("{\"item\": 3, \"label\": 1}"));
        Assert.Equal((3, 1, "ada"), store.Labels().Select(l => (l.Item, l.Label, l.Annotator)).Single());
    }

    [Fact]
    public async Task ConcurrentAnnotatorsLoseNothing()
    {
        var tasks = new List<Task<HttpResponseMessage>>();
        for (int i = 0; i < 40; i++)
            foreach (var token in new[] { ada, alan })
                tasks.Add(client.SendAsync(Request(HttpMethod.Post, "/api/labels", token, JsonContent.Create(new { item = i, label = i % 3 }))));
        var responses = await Task.WhenAll(tasks);
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var labels = store.Labels();
        Assert.Equal(80, labels.Count);
        Assert.Equal(40, labels.Count(l => l.Annotator == "ada"));
        Assert.All(Enumerable.Range(0, 40), i => Assert.Equal(2, labels.Count(l => l.Item == i)));
    }
    [Fact]
    public async Task UndoRetractsOnlyTheCallersLastLabel()
    {
        await client.SendAsync(Request(HttpMethod.Post, "/api/labels", ada, JsonContent.Create(new { item = 4, label = 1 })));
        await client.SendAsync(Request(HttpMethod.Post, "/api/labels", ada, JsonContent.Create(new { item = 5, label = 2 })));
        await client.SendAsync(Request(HttpMethod.Post, "/api/labels", alan, JsonContent.Create(new { item = 6, label = 0 })));
        var undo = await client.SendAsync(Request(HttpMethod.Post, "/api/labels/undo", ada));
        Assert.Equal(HttpStatusCode.OK, undo.StatusCode);
        var body = await undo.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal(5, body.GetProperty("item").GetInt32());
        Assert.Equal([(4, "ada"), (6, "alan")], store.Labels().Select(l => (l.Item, l.Annotator)));
        Assert.Equal(3, store.Labels(includeRetracted: true).Count);   // kept, marked retracted
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Request(HttpMethod.Post, "/api/labels/undo", ada))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(Request(HttpMethod.Post, "/api/labels/undo", ada))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Request(HttpMethod.Post, "/api/labels/undo", null))).StatusCode);
        Assert.Equal((6, "alan"), store.Labels().Select(l => (l.Item, l.Annotator)).Single());
    }

    [Fact]
    public async Task StatusAndItemsNeedATokenAndDescribeTheRun()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/status")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/items/1")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/me")).StatusCode);
        await client.SendAsync(Request(HttpMethod.Post, "/api/labels", ada, JsonContent.Create(new { item = 4, label = 1 })));
        var status = await (await client.SendAsync(Request(HttpMethod.Get, "/api/status", alan))).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal("alan", status.GetProperty("annotator").GetString());
        Assert.Equal(3, status.GetProperty("classes").GetArrayLength());
        Assert.Equal(0, status.GetProperty("model").GetProperty("version").GetInt32());
        Assert.Equal(0, status.GetProperty("model").GetProperty("retrainEvery").GetInt32());   // no student factory: no retraining
        Assert.Equal(1, status.GetProperty("stats").GetProperty("perClass")[1].GetInt32());
        var item = await (await client.SendAsync(Request(HttpMethod.Get, "/api/items/7", ada))).Content.ReadFromJsonAsync<QueueItem>();
        Assert.Equal((7, "image"), (item!.Id, item.Kind));
        Assert.InRange(item.Prediction, 0, 2);
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(Request(HttpMethod.Get, "/api/items/50", ada))).StatusCode);
        // Blobs of 4 features are not pictures: the image route says so.
        var png = await client.SendAsync(Request(HttpMethod.Get, "/api/items/7/image.png", ada));
        Assert.Equal(HttpStatusCode.NotFound, png.StatusCode);
        Assert.Contains("not images", await png.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PagesAreServedWithNothingFromElsewhere()
    {
        foreach (var page in new[] { "/login", "/label", "/progress" })
        {
            var r = await client.GetAsync(page);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("text/html", r.Content.Headers.ContentType!.MediaType);
            Assert.Contains("script-src 'self'", r.Headers.GetValues("Content-Security-Policy").Single());
            var html = await r.Content.ReadAsStringAsync();
            Assert.Contains("<script src=\"/assets/app.js\"", html);
            Assert.DoesNotContain("http://", html);
            Assert.DoesNotContain("https://", html);
        }
        var js = await client.GetStringAsync("/assets/app.js");
        Assert.Contains("Authorization", js);
        Assert.DoesNotContain("https://", js);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/assets/app.css")).StatusCode);
        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = client.BaseAddress };
        var root = await noRedirect.GetAsync("/");
        Assert.Equal("/label", root.Headers.Location!.OriginalString);
    }
}
