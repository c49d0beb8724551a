using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Feynman.Cli;
using Feynman.Tracking;

namespace Feynman.Tests.Web;

[Collection(Feynman.Tests.Support.ConsoleCollection.Name)]
public sealed class ServeCommandTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "feynman-serve-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(dir)) Directory.Delete(dir, true);
    }

    [Fact]
    public async Task ServeRetrainsAfterEveryNLabelsAndStopsCleanly()
    {
        Directory.CreateDirectory(dir);
        var db = Path.Combine(dir, "labels.db");
        string token;
        using (var store = LabelStore.Open(db)) token = store.AddAnnotator("ada");
        var model = Path.Combine(dir, "model.yaml");
        File.WriteAllText(model, "input: [1, 28, 28]\nlayers:\n  - flatten\n  - linear: 10\n");

        var saved = Console.Out;
        var output = new StringWriter();
        Console.SetOut(TextWriter.Synchronized(output));
        using var stop = new CancellationTokenSource();
        try
        {
            var serving = FeynmanCommand.Build().Parse(["serve", "--model", model, "--labels-db", db, "--port", "0", "--retrain-every", "3",
                "--retrain-epochs", "2", "--holdout-size", "200", "--pool-subsample", "300"]).InvokeAsync(cancellationToken: stop.Token);
            async Task<string> Wait(string pattern)
            {
                for (int i = 0; i < 600 && !Regex.IsMatch(output.ToString(), pattern); i++)
                {
                    if (serving.IsCompleted) Assert.Fail($"serve stopped early: {output}");
                    await Task.Delay(50);
                }
                return Regex.Match(output.ToString(), pattern).Groups[1].Value;
            }
            var url = await Wait(@"on (http://127\.0\.0\.1:\d+) ");
            Assert.Contains("held-out: fashion-mnist:test[200]", output.ToString());
            using var client = new HttpClient { BaseAddress = new Uri(url) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/login")).StatusCode);
            var queue = (await client.GetFromJsonAsync<Feynman.Web.QueueItem[]>("/api/queue?n=3"))!;
            foreach (var item in queue)
                Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/labels", new { item = item.Id, label = 1 })).StatusCode);
            await Wait(@"(student v1: 3 labels, held-out accuracy [\d.]+%)");
            var png = await client.GetAsync($"/api/items/{queue[0].Id}/image.png");
            Assert.Equal("image/png", png.Content.Headers.ContentType!.MediaType);
            stop.Cancel();
            Assert.Equal(0, await serving);
        }
        finally
        {
            Console.SetOut(saved);
        }
    }
    [Fact]
    public void ExportLeavesUndoneLabelsOutUnlessAsked()
    {
        Directory.CreateDirectory(dir);
        var db = Path.Combine(dir, "labels.db");
        using (var store = LabelStore.Open(db))
        {
            store.AddAnnotator("ada");
            store.AddLabel(1, 2, "ada");
            store.AddLabel(3, 4, "ada");
            store.RetractLast("ada");
        }
        var saved = Console.Out;
        Console.SetOut(new StringWriter());
        try
        {
            var file = Path.Combine(dir, "labels.jsonl");
            Assert.Equal(0, FeynmanCommand.Build().Parse(["labels", "export", "--out", file, "--labels-db", db]).Invoke());
            Assert.Contains("\"item\":1,\"label\":2", File.ReadAllLines(file).Single());
            Assert.Equal(0, FeynmanCommand.Build().Parse(["labels", "export", "--out", file, "--labels-db", db, "--include-retracted"]).Invoke());
            var lines = File.ReadAllLines(file);
            Assert.Equal(2, lines.Length);
            Assert.Contains("\"retracted_at\"", lines[1]);
        }
        finally
        {
            Console.SetOut(saved);
        }
    }
}
