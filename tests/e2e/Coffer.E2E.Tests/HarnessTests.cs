using Coffer.E2E.Tests.Harness;

namespace Coffer.E2E.Tests;

/// <summary>Facts about the test rig itself: the pinned client, and TLS that is trusted only through the test CA.</summary>
public sealed class HarnessTests(E2EFixture fixture) : IClassFixture<E2EFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Bw_IsThePinnedOfficialRelease()
    {
        var bw = fixture.NewBw(TestAccount.CreateUnique());

        var version = await bw.OkAsync("bw --version", "--version");

        Assert.Equal("2026.9.0", version.Trim());
    }

    [Fact]
    public async Task Server_IsReachableFromNode_OnlyWhenTheTestCaIsTrusted()
    {
        // The same node and the same https stack that bw uses (node-fetch over node's https module).
        const string Script = """
            require('https').get(process.argv[1], r => { console.log(r.statusCode); r.resume(); })
              .on('error', e => { console.error(e.code || e.message); process.exit(3); });
            """;
        var alive = new Uri(fixture.Server.BaseAddress, "/alive").ToString();

        var trusted = await RunNodeAsync(Script, alive, fixture.Certificates.CaPemPath);
        var untrusted = await RunNodeAsync(Script, alive, caPem: null);

        Assert.True(trusted.Succeeded && trusted.StdOut.Trim() == "200", $"node with NODE_EXTRA_CA_CERTS:\n{trusted}");
        Assert.True(untrusted.ExitCode == 3 && untrusted.StdErr.Contains("UNABLE_TO_VERIFY_LEAF_SIGNATURE", StringComparison.Ordinal), $"node without the CA:\n{untrusted}");
    }

    [Fact]
    public async Task Server_CertificateNamesTheLoopbackAddress_AndChainsToTheTestCa()
    {
        using var client = new HttpClient(fixture.Certificates.CreateTrustingHandler());
        using var byIp = await client.GetAsync(new Uri(fixture.Server.BaseAddress, "/alive"));
        using var byName = await client.GetAsync(new Uri($"https://localhost:{fixture.Server.BaseAddress.Port}/alive"));
        using var defaultTrust = new HttpClient();

        Assert.True(byIp.IsSuccessStatusCode, $"GET /alive by IP: {(int)byIp.StatusCode}");
        Assert.True(byName.IsSuccessStatusCode, $"GET /alive by name: {(int)byName.StatusCode}");
        await Assert.ThrowsAsync<HttpRequestException>(() => defaultTrust.GetAsync(new Uri(fixture.Server.BaseAddress, "/alive")));
    }

    private static Task<ProcessResult> RunNodeAsync(string script, string url, string? caPem) =>
        ChildProcess.RunAsync(
            "node",
            ["-e", script, url],
            new Dictionary<string, string?> { ["NODE_EXTRA_CA_CERTS"] = caPem },
            RepoPaths.Root,
            Timeout,
            "node");
}
