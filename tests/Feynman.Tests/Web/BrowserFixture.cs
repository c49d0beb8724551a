using Microsoft.Playwright;

namespace Feynman.Tests.Web;

/// <summary>
/// One headless Debian Chromium for the browser tests, driven by Playwright's driver from the restored NuGet
/// package (no browser download). Without /usr/bin/chromium the tests fail and say how to install it.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public IPlaywright Playwright { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException(
                $"the browser tests need Debian's Chromium at {ChromiumPath}, which is missing: install it with `sudo apt-get install chromium` " +
                "(scripts/setup-debian.sh --test, which ./test.sh runs, installs it). Do not run `playwright install`: the tests use only the system browser.");
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-background-networking"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser != null) await Browser.DisposeAsync();
        Playwright?.Dispose();
    }
}
