using Coffer.Cli.Tests.EndToEnd;
using Coffer.Client.Crypto;
using Coffer.Protocol.Crypto;
using Coffer.Testing.Hostile;

namespace Coffer.Cli.Tests.Hostile;

/// <summary>Per-item keys for everything the CLI writes (malicious-server.md BW05, BW10): legacy items are re-keyed on edit and by <c>vault upgrade-items</c>.</summary>
public sealed class ItemKeyCliTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task EditOfALegacyItem_PutsItWithAFreshItemKey_UnderWhichEveryFieldDecrypts()
    {
        await using var vault = await HostileVault.StartAsync(server.BaseUrl);
        var legacy = await vault.CreateDirectAsync(vault.Legacy("Router", "admin", "r0uter-old", "https://router.example"));
        await vault.OkAsync("sync");
        Assert.False(vault.Pins.Ciphers[legacy].HasKey);

        await vault.OkAsync("edit", "Router", "--notes", "now keyed");

        var put = vault.Proxy.Requests("PUT", $"^/api/ciphers/{legacy}$").Single().BodyJson()!;
        using var userKey = vault.UserKey();
        using var itemKey = new SymmetricKey(EncString.Parse((string)put["key"]!).Decrypt(userKey));
        Assert.Equal("r0uter-old", EncString.Parse((string)put["login"]!["password"]!).DecryptString(itemKey));
        Assert.Equal("https://router.example", EncString.Parse((string)put["login"]!["uris"]![0]!["uri"]!).DecryptString(itemKey));
        Assert.NotNull((string?)put["login"]!["uris"]![0]!["uriChecksum"]);
        Assert.True(vault.Pins.Ciphers[legacy].HasKey);
        Assert.Equal("r0uter-old", (await vault.OkAsync("get", "password", "Router")).Trim());
        vault.AssertNoHarmfulWrite();
        Assert.Empty(vault.Proxy.Leaks(Secret.Text("p", "r0uter-old"), Secret.Key("user key", userKey.ToArray())));
    }

    [Fact]
    public async Task UpgradeItems_GivesEveryLegacyItemAKey_LeavesTrashAlone_AndWritesNothingTheSecondTime()
    {
        await using var vault = await HostileVault.StartAsync(server.BaseUrl);
        var a = await vault.CreateDirectAsync(vault.Legacy("Alpha", "ann", "alpha-1"));
        var b = await vault.CreateDirectAsync(vault.Legacy("Beta", "bob", "beta-2", "https://beta.example"));
        var trashed = await vault.CreateDirectAsync(vault.Legacy("Gamma", "cid", "gamma-3"));
        var keyed = await vault.AddLoginAsync("Delta", "dan", "delta-4");
        await vault.OkAsync("rm", "Gamma");

        var (code, output, error) = await vault.RunAsync("vault", "upgrade-items");

        Assert.Equal(0, code);
        Assert.Contains("Gave 2 item(s) their own key.", output, StringComparison.Ordinal);
        Assert.Contains($"Skipped 'Gamma' ({trashed}): it is in the trash.", error, StringComparison.Ordinal);
        Assert.Equal(2, vault.Proxy.Requests("PUT", "^/api/ciphers/[0-9a-f-]{36}$").Count);
        Assert.Empty(vault.Proxy.Requests("PUT", $"^/api/ciphers/{keyed}$"));
        Assert.True(vault.Pins.Ciphers[a].HasKey);
        Assert.True(vault.Pins.Ciphers[b].HasKey);
        Assert.False(vault.Pins.Ciphers[trashed].HasKey);
        Assert.Equal("beta-2", (await vault.OkAsync("get", "password", "Beta")).Trim());
        Assert.Equal("https://beta.example", (await vault.OkAsync("get", "uri", "Beta")).Trim());
        Assert.Contains("Gave 0 item(s) their own key.", await vault.OkAsync("vault", "upgrade-items"), StringComparison.Ordinal);
        Assert.Equal(2, vault.Proxy.Requests("PUT", "^/api/ciphers/[0-9a-f-]{36}$").Count);
        vault.AssertNoHarmfulWrite();
    }
}
