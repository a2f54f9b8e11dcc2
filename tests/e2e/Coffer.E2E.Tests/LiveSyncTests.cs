using System.Text.Json;
using Coffer.E2E.Tests.Harness;

namespace Coffer.E2E.Tests;

/// <summary>
/// Live sync with the official SignalR client (npm @microsoft/signalr and its MessagePack protocol, pinned in
/// tests/e2e/node) configured as Bitwarden's web vault, extension and desktop app configure it, against the real
/// server over TLS: a folder created on one device reaches another device's hub connection.
/// </summary>
public sealed class LiveSyncTests(E2EFixture fixture) : IClassFixture<E2EFixture>
{
    [Fact]
    public async Task FolderCreatedOnOneDevice_ReachesTheOfficialHubClientOfAnother()
    {
        var account = TestAccount.CreateUnique();
        await fixture.NewCoffer(account).RegisterAsync(fixture.Server.Url);
        var client = new HubCheckClient(fixture, fixture.NewScratchFolder(), account);

        using var result = JsonDocument.Parse(await client.OkAsync("node hub-check.mjs", fixture.Server.Url));

        var root = result.RootElement;
        Assert.Equal(7, root.GetProperty("type").GetInt32());
        Assert.Equal(root.GetProperty("folderId").GetString(), root.GetProperty("id").GetString());
        Assert.True(root.GetProperty("contextIsWriter").GetBoolean());
        Assert.True(root.GetProperty("revisionDateIsDate").GetBoolean());
        Assert.True(root.GetProperty("revisionDateMatches").GetBoolean());
    }

    /// <summary>tests/e2e/node/hub-check.mjs under node, trusting the test CA.</summary>
    private sealed class HubCheckClient(E2EFixture fixture, string stateFolder, TestAccount account) : CliClient(fixture, stateFolder)
    {
        private readonly string caPemPath = fixture.Certificates.CaPemPath;

        protected override string DisplayName => "node hub-check.mjs";

        protected override string FileName => "node";

        protected override IEnumerable<string> FixedArguments => [Path.Combine(RepoPaths.NodeFolder, "hub-check.mjs")];

        protected override IReadOnlyDictionary<string, string?> Environment() => new Dictionary<string, string?>
        {
            ["NODE_EXTRA_CA_CERTS"] = caPemPath,
            ["COFFER_HUB_EMAIL"] = account.Email,
            ["COFFER_HUB_PASSWORD"] = account.Password,
        };
    }
}
