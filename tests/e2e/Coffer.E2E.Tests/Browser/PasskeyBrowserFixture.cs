using Microsoft.Playwright;

namespace Coffer.E2E.Tests.Browser;

/// <summary>
/// A coffer-server whose public address is <c>https://localhost</c> (<c>Coffer:PublicUrl</c>, so WebAuthn is on with RP
/// id <c>localhost</c>) and a Chromium that reaches it there: WebAuthn needs a secure context whose host is a domain,
/// not an IP address. The server listens on 127.0.0.1 on a free port as always; <c>--host-resolver-rules</c> sends
/// <c>localhost:443</c> to that port, so the page's origin is exactly the public URL. The test certificate names
/// localhost and its key is pinned (SPKI), so Chromium sees a valid certificate, which WebAuthn requires. Mail goes to
/// a <see cref="MailSink"/> of its own, for two-step login by e-mail.
/// </summary>
public sealed class PasskeyBrowserFixture : IAsyncLifetime
{
    public const string PublicUrl = "https://localhost";

    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("coffer-e2e-passkeys-");
    private TestCertificates? certificates;
    private MailSink? sink;
    private ServerProcess? server;
    private IPlaywright? playwright;
    private IBrowser? browser;

    public ServerProcess Server => server ?? throw new InvalidOperationException("Fixture not initialised.");

    public TestCertificates Certificates => certificates ?? throw new InvalidOperationException("Fixture not initialised.");

    /// <summary>The SMTP server the coffer-server sends its mail to (two-step login codes).</summary>
    public MailSink Sink => sink ?? throw new InvalidOperationException("Fixture not initialised.");

    public async Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout(30_000);
        certificates = TestCertificates.Create(Directory.CreateDirectory(Path.Combine(root.FullName, "tls")).FullName);
        sink = await MailSink.StartAsync();
        server = await ServerProcess.StartAsync(
            certificates, Directory.CreateDirectory(Path.Combine(root.FullName, "server-data")).FullName,
            new Dictionary<string, string?>(sink.Environment) { ["Coffer__PublicUrl"] = PublicUrl });
        playwright = await Playwright.CreateAsync();
        browser = await Chromium.LaunchAsync(
            playwright, [$"--host-resolver-rules=MAP localhost:443 127.0.0.1:{server.BaseAddress.Port}"], BrowserFixture.SpkiPin(certificates.ServerCertPath));
    }

    public async Task DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
        }

        playwright?.Dispose();
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        if (sink is not null)
        {
            await sink.DisposeAsync();
        }

        certificates?.Dispose();
        root.Delete(recursive: true);
    }

    /// <summary>
    /// A fresh context on <see cref="PublicUrl"/> with one page and a virtual authenticator on it (Chrome DevTools
    /// Protocol, WebAuthn domain): CTAP2, built in, resident keys, user verification that always succeeds, and PRF
    /// when <paramref name="prf"/>. It answers every ceremony at once, as if the user touched it.
    /// </summary>
    public async Task<IPage> NewPageWithAuthenticatorAsync(bool prf = true)
    {
        var context = await (browser ?? throw new InvalidOperationException("Fixture not initialised.")).NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = BrowserFixture.Desktop,
            BaseURL = PublicUrl,
        });
        context.SetDefaultTimeout(60_000);
        var page = await context.NewPageAsync();
        var cdp = await context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable");
        await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["ctap2Version"] = "ctap2_1",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["hasPrf"] = prf,
                ["automaticPresenceSimulation"] = true,
            },
        });
        await page.GotoAsync("/");
        return page;
    }
}
