using Feynman.Data;
using Feynman.Nn;
using Feynman.Paradigms.ActiveLearning;
using Feynman.Tensors;
using Feynman.Tracking;
using Feynman.Training;
using Feynman.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Feynman.Tests.Web;

/// <summary>
/// The annotation pages in a real browser (headless Debian Chromium through Playwright): log in with a token,
/// label by keyboard, undo, skip, see labels in SQLite and the student retrained; two people at once.
/// Set FEYNMAN_SCREENSHOTS=DIR to keep screenshots of the pages.
/// </summary>
public sealed class BrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "feynman-browser-" + Guid.NewGuid().ToString("N"));
    private LabelStore store = null!;
    private WebApplication app = null!;
    private AnnotationSession session = null!;
    private IDataset pool = null!;
    private string url = "", ada = "", alan = "";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(dir);
        store = LabelStore.Open(Path.Combine(dir, "labels.db"));
        ada = store.AddAnnotator("ada");
        alan = store.AddAnnotator("alan");
        // 500 Fashion-MNIST images to label, 300 held out, and a logistic-regression student that retrains in well under a second.
        pool = new Subset(DataSources.Open("fashion-mnist:train"), [.. Enumerable.Range(0, 500)], "fashion-mnist:train[:500]");
        var holdout = new Subset(DataSources.Open("fashion-mnist:test"), [.. Enumerable.Range(0, 300)], "fashion-mnist:test[:300]");
        static Module Student() => new Sequential(new Flatten(), new Linear(784, 10, rng: new Generator(3)));
        var options = new AnnotationOptions
        {
            Port = 0, CreateStudent = Student, RetrainEvery = 10, Holdout = holdout, PoolSubsample = 0,
            Training = new TrainingOptions { Epochs = 15, BatchSize = 16, Optimizer = "adam", LearningRate = 0.01, WeightDecay = 0, Schedule = "constant" },
        };
        app = AnnotationServer.Build(store, pool, Student(), new MarginStrategy(), options);
        session = app.Services.GetRequiredService<AnnotationSession>();
        await app.StartAsync();
        url = app.Urls.First();
    }

    public async Task DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, true);
    }

    private async Task<(IBrowserContext Context, IPage Page)> LogIn(string token)
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 860 } });
        // A hang guard, not a speed check: a loaded 2-core machine (the server retrains in the background) can be slow.
        context.SetDefaultTimeout(60_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync(url + "/label");
        // No token yet: the page sends us to log in; wait until that page's log-in handler is attached.
        await page.WaitForSelectorAsync("body[data-page='login'][data-ready='1']");
        Assert.Equal("/login", new Uri(page.Url).AbsolutePath);
        await page.FillAsync("#token", token);
        await page.ClickAsync("#login");
        // The page's own ready flag says it has loaded its queue; the 'load' event adds nothing and can lag under load.
        // Poll the address rather than wait for a navigation event: the redirect may land before a wait would begin.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!new Uri(page.Url).AbsolutePath.Equals("/label", StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                string shown = await page.Locator("#login-error").IsVisibleAsync() ? await page.InnerTextAsync("#login-error") : "(no error shown)";
                throw new TimeoutException($"after logging in the page stayed at {page.Url}; login error: {shown}");
            }
            await Task.Delay(50);
        }
        await page.WaitForSelectorAsync("body[data-ready='1']");
        return (context, page);
    }

    // Presses the digit of the label for each of `count` items, waiting only until the page shows an open item.
    private static async Task<List<(int Item, int Label)>> LabelByKeyboard(IPage page, int count, Func<int, int> labelOf)
    {
        var done = new List<(int, int)>();
        for (int i = 0; i < count; i++)
        {
            await page.WaitForSelectorAsync("#queue li.current.open");
            int item = int.Parse((await page.GetAttributeAsync("#item", "data-item"))!);
            int label = labelOf(item);
            await page.Keyboard.PressAsync(label.ToString());
            done.Add((item, label));
        }
        return done;
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        for (int i = 0; i < 600 && !condition(); i++) await Task.Delay(50);
        Assert.True(condition(), $"timed out waiting until {what}");
    }

    private static async Task Screenshot(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("FEYNMAN_SCREENSHOTS") is { Length: > 0 } shots)
        {
            Directory.CreateDirectory(shots);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, name), FullPage = true });
        }
    }

    [Fact]
    public async Task AWrongTokenIsRefusedOnTheLoginPage()
    {
        var context = await browser.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(url + "/login");
        await page.WaitForSelectorAsync("body[data-ready='1']");
        await page.FillAsync("#token", "not-" + ada);
        await page.ClickAsync("#login");
        var error = page.Locator("#login-error");
        await error.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 10_000 });
        Assert.Contains("not accepted", await error.InnerTextAsync());
        Assert.EndsWith("/login", page.Url);
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('feynman.token')"));
        await context.CloseAsync();
    }

    [Fact]
    public async Task LabellingByKeyboardStoresLabelsAndRetrainsTheStudent()
    {
        var (context, page) = await LogIn(ada);
        Assert.Equal(ada, await page.EvaluateAsync<string>("() => sessionStorage.getItem('feynman.token')"));
        Assert.Contains("signed in as ada", await page.InnerTextAsync("#who"));
        // The item is a PNG the browser decodes (fetched with the token, shown as a blob).
        await page.WaitForFunctionAsync("() => { const i = document.querySelector('img.picture'); return i && i.complete && i.naturalWidth === 28 && i.naturalHeight === 28; }");
        Assert.Equal(10, await page.Locator("#classes button").CountAsync());
        Assert.Contains("Ankle boot", await page.InnerTextAsync("#classes"));

        var pressed = await LabelByKeyboard(page, 20, pool.GetLabel);
        Assert.Equal(20, pressed.Select(p => p.Item).Distinct().Count());
        await Until(() => store.Labels().Count == 20, "20 labels are stored");
        Assert.Equal(pressed.Order(), store.Labels().Select(l => (l.Item, l.Label)).Order());
        Assert.All(store.Labels(), l => Assert.Equal("ada", l.Annotator));

        // s skips (nothing stored), ← goes back to the skipped item.
        await page.WaitForSelectorAsync("#queue li.current.open");
        string skipped = (await page.GetAttributeAsync("#item", "data-item"))!;
        await page.Keyboard.PressAsync("s");
        Assert.NotEqual(skipped, await page.GetAttributeAsync("#item", "data-item"));
        await page.Keyboard.PressAsync("ArrowLeft");
        Assert.Equal(skipped, await page.GetAttributeAsync("#item", "data-item"));

        // u undoes the last label: the row stays, retracted, and the page returns to that item; labelling it again stores a new row.
        await page.Keyboard.PressAsync("u");
        await Until(() => store.Labels().Count == 19, "the last label is retracted");
        var retracted = store.Labels(includeRetracted: true).Single(l => l.IsRetracted);
        Assert.Equal(pressed[^1], (retracted.Item, retracted.Label));
        await page.WaitForFunctionAsync($"() => document.querySelector('#item').dataset.item === '{retracted.Item}'");
        await page.Keyboard.PressAsync(pool.GetLabel(retracted.Item).ToString());
        await Until(() => store.Labels().Count == 20, "the item is labelled again");
        Assert.Equal(21, store.Labels(includeRetracted: true).Count);

        // Every 10 labels the student is retrained in the background: a newer version, a point on the curve.
        await Until(() => session.Curve.Any(p => p.Labels >= 20), "a student trained on 20 labels is on the curve");
        Assert.True(session.Current.Version >= 2, $"two retrainings were due, the student is version {session.Current.Version}");
        var last = session.Curve[^1];
        var first = session.Curve[0];
        Assert.Equal(0, first.Version);
        Assert.True(last.Accuracy > first.Accuracy + 0.15, $"20 true labels should lift held-out accuracy well above the untrained student's {first.Accuracy}, got {last.Accuracy}");
        await page.WaitForFunctionAsync("() => Number(document.querySelector('#model').dataset.version) >= 2");
        await Screenshot(page, "label.png");

        await page.ClickAsync("nav a[href='/progress']");
        await page.WaitForSelectorAsync("body[data-ready='1']");
        await page.WaitForFunctionAsync($"() => Number(document.querySelector('#curve').dataset.points) >= {session.Curve.Count}");
        Assert.Equal(session.Curve.Count, await page.Locator("#curve svg circle.dot").CountAsync());
        Assert.Contains("20", await page.InnerTextAsync("tr[data-annotator='ada']"));
        await Screenshot(page, "progress.png");
        await context.CloseAsync();
    }

    [Fact]
    public async Task TwoAnnotatorsLabellingAtOnceLoseNothing()
    {
        var (adaContext, adaPage) = await LogIn(ada);
        var (alanContext, alanPage) = await LogIn(alan);
        // Both work from the same queue at the same time; where they label the same item, both labels are kept.
        var work = await Task.WhenAll(
            LabelByKeyboard(adaPage, 15, pool.GetLabel),
            LabelByKeyboard(alanPage, 15, item => (pool.GetLabel(item) + 1) % 10));
        // A click on a class button labels too.
        await adaPage.WaitForSelectorAsync("#queue li.current.open");
        int clicked = int.Parse((await adaPage.GetAttributeAsync("#item", "data-item"))!);
        await adaPage.ClickAsync($"#classes button[data-class='{pool.GetLabel(clicked)}']");
        work[0].Add((clicked, pool.GetLabel(clicked)));
        await Until(() => store.Labels().Count == 31, "31 labels are stored");
        var labels = store.Labels();
        Assert.Equal(work[0].Order(), labels.Where(l => l.Annotator == "ada").Select(l => (l.Item, l.Label)).Order());
        Assert.Equal(work[1].Order(), labels.Where(l => l.Annotator == "alan").Select(l => (l.Item, l.Label)).Order());
        await adaContext.CloseAsync();
        await alanContext.CloseAsync();
    }
}
