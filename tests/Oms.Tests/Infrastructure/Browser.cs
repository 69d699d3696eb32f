using Microsoft.Playwright;

namespace Oms.Tests.Infrastructure;

/// <summary>
/// Headless Chromium driven by Playwright, for browser tests. Uses the machine's Chromium
/// (<c>OMS_TEST_CHROMIUM</c>, default <c>/usr/bin/chromium</c>); never downloads a browser.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    public IBrowser Instance { get; }

    private Browser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Instance = browser;
    }

    public static async Task<Browser> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Environment.GetEnvironmentVariable("OMS_TEST_CHROMIUM") ?? "/usr/bin/chromium",
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
            });
            return new Browser(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>A fresh context (own cookies) on <paramref name="server"/>, 1440×900, relative URLs allowed.</summary>
    public async Task<IPage> NewPageAsync(ServerFixture server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var context = await Instance.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = server.BaseAddress.ToString().TrimEnd('/'),
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    /// <summary>A page already logged in (as the fixture's admin unless told otherwise), on the dashboard.</summary>
    public async Task<IPage> LoggedInPageAsync(ServerFixture server, string user = ServerFixture.AdminUser, string password = ServerFixture.AdminPassword)
    {
        var page = await NewPageAsync(server);
        await page.GotoAsync("/login");
        await page.FillAsync("#name", user);
        await page.FillAsync("#password", password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(u => !u.Contains("/login", StringComparison.Ordinal));
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        await Instance.DisposeAsync();
        _playwright.Dispose();
    }
}
