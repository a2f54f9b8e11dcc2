using Coffer.E2E.Tests.Harness;

namespace Coffer.E2E.Tests;

/// <summary>
/// One throwaway CA and one real coffer-server process per test class. Classes run in parallel, each against its
/// own server: most of a bw command's time is the CLI's own idle timers, not CPU. Every test makes its own account
/// and its own client state folders, so tests do not depend on each other or on their order.
/// </summary>
public sealed class E2EFixture : IAsyncLifetime, IServerHost
{
    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("coffer-e2e-");
    private TestCertificates? certificates;
    private ServerProcess? server;
    private int clients;

    public TestCertificates Certificates => certificates ?? throw new InvalidOperationException("Fixture not initialised.");

    public ServerProcess Server => server ?? throw new InvalidOperationException("Fixture not initialised.");

    public async Task InitializeAsync()
    {
        // Fail every test, loudly, when the pinned bw is not installed: a missing client must never pass as a skip.
        _ = RepoPaths.BwScript;
        certificates = TestCertificates.Create(Folder("tls"));
        server = await ServerProcess.StartAsync(certificates, Folder("server-data"));
    }

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        certificates?.Dispose();
        root.Delete(recursive: true);
    }

    public BwClient NewBw(TestAccount account) => new(this, NextClientFolder("bw"), account);

    public CofferClient NewCoffer(TestAccount account) => new(this, NextClientFolder("coffer"), account);

    /// <summary>Registers a new account with `coffer register` and logs a new bw client into it.</summary>
    public async Task<BwClient> RegisterAndLoginBwAsync(TestAccount account)
    {
        await NewCoffer(account).RegisterAsync(Server.Url);
        var bw = NewBw(account);
        await bw.LoginAsync(Server.Url);
        return bw;
    }

    /// <summary>A new empty folder for a test's own files (import sources, export targets).</summary>
    public string NewScratchFolder() => NextClientFolder("scratch");

    /// <summary>The last lines the server printed, for failure messages.</summary>
    public string ServerLogTail()
    {
        const int MaxChars = 6000;
        var log = server?.Log ?? "(server not started)";
        var tail = log.Length <= MaxChars ? log : "…" + log[^MaxChars..];
        return server?.ExitCode is { } code ? $"{tail}\n(coffer-server is no longer running: exit code {code})" : tail;
    }

    private string NextClientFolder(string kind) => Folder($"{kind}-{Interlocked.Increment(ref clients)}");

    private string Folder(string name) => Directory.CreateDirectory(Path.Combine(root.FullName, name)).FullName;
}
