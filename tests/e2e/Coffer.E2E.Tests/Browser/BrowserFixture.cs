using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Playwright;

namespace Coffer.E2E.Tests.Browser;

/// <summary>
/// One real coffer-server (through <see cref="E2EFixture"/>: throwaway CA, HTTPS on a free loopback port, the bw and
/// coffer helpers for interop) and one headless Chromium per test class. Every test opens its own browser context
/// (fresh storage, no shared session) and makes its own account.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };
    public static readonly ViewportSize Desktop = new() { Width = 1280, Height = 800 };

    private IPlaywright? playwright;
    private IBrowser? browser;

    /// <summary>The server, its CA, and the bw/coffer clients of the other end-to-end tests.</summary>
    public E2EFixture E2E { get; } = new();

    public string Url => E2E.Server.Url;

    /// <summary>Where the server serves the web vault from: web/dist, copied beside coffer-server.dll by its build.</summary>
    public static string ServedWebVault => Path.Combine(Path.GetDirectoryName(RepoPaths.ServerDll)!, "web-vault");

    public async Task InitializeAsync()
    {
        // A server built without the web vault answers every page with a 404; say why instead.
        if (!File.Exists(Path.Combine(ServedWebVault, "index.html")))
        {
            throw new InvalidOperationException(
                $"The server has no web vault ({ServedWebVault}/index.html is missing): build web/ first " +
                $"(`npm ci && npm run build` in web/), then the solution. {RepoPaths.SetupHint}");
        }

        // Expect(...) retries until its timeout (5 s by default): roomy too, since a whole vault may be decrypting.
        Assertions.SetDefaultExpectTimeout(30_000);
        await E2E.InitializeAsync();
        playwright = await Playwright.CreateAsync();
        browser = await Chromium.LaunchAsync(playwright, SpkiPin(E2E.Certificates.ServerCertPath));
    }

    public async Task DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
        }

        playwright?.Dispose();
        await E2E.DisposeAsync();
    }

    /// <summary>A fresh context (no cookies, no storage) with one page at <paramref name="viewport"/>, on the server's origin.</summary>
    public async Task<IPage> NewPageAsync(ViewportSize? viewport = null)
    {
        var context = await (browser ?? throw new InvalidOperationException("Fixture not initialised.")).NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = viewport ?? Desktop,
            BaseURL = Url,
            AcceptDownloads = true,
        });
        // Roomy, for a shared machine under load: a step that never happens still fails, only later.
        context.SetDefaultTimeout(60_000);
        return await context.NewPageAsync();
    }

    /// <summary>Base64 SHA-256 of the certificate's SubjectPublicKeyInfo, the form Chromium's SPKI allow-list takes.</summary>
    internal static string SpkiPin(string certificatePemPath)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(certificatePemPath));
        return Convert.ToBase64String(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));
    }
}
