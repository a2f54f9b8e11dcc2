using System.Collections.Concurrent;
using Coffer.Testing.Hostile;
using Microsoft.Playwright;

namespace Coffer.E2E.Tests.Browser;

/// <summary>
/// The web vault against a malicious server (malicious-server.md §4): one real coffer-server (through
/// <see cref="E2EFixture"/>), a <see cref="HostileProxy"/> in front of it serving HTTPS with the same test certificate,
/// and one headless Chromium per test class that browses <see cref="Url"/>, the proxy. The page, its scripts and every
/// API call therefore pass the proxy: an armed scenario rewrites the server's answers, and
/// <see cref="HostileProxy.Egress"/> holds everything the page sent. The bundle itself is never rewritten (code
/// substitution is out of scope, §5). Every request the browser makes to any other origin (an icon host, say) is
/// recorded in <see cref="OffOriginRequests"/>. Tests in one class share the proxy: each arms its scenario and disarms
/// it at the end.
/// </summary>
public sealed class HostileBrowserFixture : IAsyncLifetime
{
    private IPlaywright? playwright;
    private IBrowser? browser;
    private HostileProxy? proxy;
    private readonly ConcurrentQueue<string> offOrigin = new();

    /// <summary>The honest server and its CA.</summary>
    public E2EFixture E2E { get; } = new();

    /// <summary>The proxy the browser talks to.</summary>
    public HostileProxy Proxy => proxy ?? throw new InvalidOperationException("Fixture not initialised.");

    /// <summary>The web vault's origin as the browser sees it: the proxy, e.g. https://127.0.0.1:PORT.</summary>
    public string Url => Proxy.BaseAddress.GetLeftPart(UriPartial.Authority);

    /// <summary>Every URL the pages of this fixture requested from an origin other than <see cref="Url"/>, in order.</summary>
    public IReadOnlyList<string> OffOriginRequests => [.. offOrigin];

    public async Task InitializeAsync()
    {
        if (!File.Exists(Path.Combine(BrowserFixture.ServedWebVault, "index.html")))
        {
            throw new InvalidOperationException(
                $"The server has no web vault ({BrowserFixture.ServedWebVault}/index.html is missing): build web/ first " +
                $"(`npm ci && npm run build` in web/), then the solution. {RepoPaths.SetupHint}");
        }

        Assertions.SetDefaultExpectTimeout(30_000);
        await E2E.InitializeAsync();
        proxy = await HostileProxy.StartAsync(E2E.Server.BaseAddress, E2E.Certificates, serveTls: true);
        playwright = await Playwright.CreateAsync();
        // The proxy serves the server's own certificate (it names 127.0.0.1), so one SPKI pin trusts both.
        browser = await Chromium.LaunchAsync(playwright, BrowserFixture.SpkiPin(E2E.Certificates.ServerCertPath));
    }

    public async Task DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
        }

        playwright?.Dispose();
        if (proxy is not null)
        {
            await proxy.DisposeAsync();
        }

        await E2E.DisposeAsync();
    }

    /// <summary>A fresh context (no storage, so no pins) with one page on the proxy's origin.</summary>
    public async Task<IPage> NewPageAsync(ViewportSize? viewport = null)
    {
        var context = await (browser ?? throw new InvalidOperationException("Fixture not initialised.")).NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = viewport ?? BrowserFixture.Desktop,
            BaseURL = Url,
        });
        context.SetDefaultTimeout(60_000);
        context.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(Url + "/", StringComparison.OrdinalIgnoreCase) && !request.Url.StartsWith("data:", StringComparison.Ordinal)
                && !request.Url.StartsWith("blob:", StringComparison.Ordinal))
            {
                offOrigin.Enqueue(request.Url);
            }
        };
        return await context.NewPageAsync();
    }

    /// <summary>A new browser context on the vault's start page, served through the proxy.</summary>
    public async Task<WebVault> OpenVaultAsync(ViewportSize? viewport = null)
    {
        var vault = new WebVault(await NewPageAsync(viewport));
        await vault.Page.GotoAsync("/");
        return vault;
    }

    /// <summary>Another page in the same browser context (same IndexedDB, so the same pins), on the start page.</summary>
    public static async Task<WebVault> SameBrowserAsync(WebVault vault)
    {
        ArgumentNullException.ThrowIfNull(vault);
        var page = await vault.Page.Context.NewPageAsync();
        await page.GotoAsync("/");
        return new WebVault(page);
    }
}
