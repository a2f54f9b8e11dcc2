using System.Text.Json.Nodes;
using Coffer.Cli.Tests.EndToEnd;
using Coffer.Client.Crypto;
using Coffer.Client.Vault;
using Coffer.Protocol.Crypto;
using Coffer.Testing.Hostile;

namespace Coffer.Cli.Tests.Hostile;

/// <summary>
/// The vault scenarios of malicious-server.md (BW04, BW05, BW06, BW10, §3.13) against the CLI through the hostile proxy:
/// each runs its honest baseline first, then armed, and checks the outcome, that nothing secret left the client, that
/// no harmful write was made, and what the pins became.
/// </summary>
public sealed class VaultHostileTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task ConfigOldVersion_NewItemsStillGetAnItemKey_AndTheirFieldsDecryptOnlyUnderIt()
    {
        await using var vault = await HostileVault.StartAsync(server.BaseUrl);
        await vault.AddLoginAsync("Baseline", "ann", "baseline-secret-1");

        vault.Proxy.Arm(VaultScenarios.ConfigOldVersion());
        using (var http = new HttpClient { BaseAddress = vault.Proxy.BaseAddress })
        {
            Assert.Equal(VaultScenarios.OldServerVersion, (string?)JsonNode.Parse(await http.GetStringAsync("/api/config"))!["version"]);
        }

        var id = await vault.AddLoginAsync("Armed", "bob", "armed-secret-2");

        var posted = vault.Proxy.Requests("POST", "^/api/ciphers$")[^1].BodyJson()!;
        using var userKey = vault.UserKey();
        using var itemKey = new SymmetricKey(EncString.Parse((string)posted["key"]!).Decrypt(userKey));
        Assert.Equal("armed-secret-2", EncString.Parse((string)posted["login"]!["password"]!).DecryptString(itemKey));
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => EncString.Parse((string)posted["login"]!["password"]!).DecryptString(userKey));
        vault.AssertNoHarmfulWrite();
        Assert.Empty(vault.Proxy.Leaks(Secret.Text("password", "armed-secret-2"), Secret.Text("password", "baseline-secret-1"), Secret.Key("user key", userKey.ToArray())));
        Assert.True(vault.Pins.CipherKeysInUse);
        Assert.True(vault.Pins.Ciphers[id].HasKey);
    }

    [Fact]
    public async Task CipherKeyStripped_EchoWithoutTheKey_IsRefusedWith20_AndAKeylessCopyAtSyncIsRefusedForThatItem()
    {
        await using var vault = await HostileVault.StartAsync(server.BaseUrl);
        var bank = await vault.AddLoginAsync("Bank", "ann", "bank-secret-1");
        var mail = await vault.AddLoginAsync("Mail", "ann", "mail-secret-2");
        await vault.OkAsync("sync");
        var pinned = vault.Pins.Ciphers[bank];

        vault.Proxy.Arm(VaultScenarios.CipherKeyStripped());
        var syncs = vault.Proxy.Requests("GET", "^/api/sync$").Count;
        var (code, _, error) = await vault.RunAsync("add", "login", "--name", "Shop", "--password", "shop-secret-3");
        Assert.Equal(20, code);
        Assert.Contains("server integrity check failed (cipher-key-dropped)", error, StringComparison.Ordinal);
        Assert.Null(vault.Session.Unlocked);
        Assert.Equal(syncs, vault.Proxy.Requests("GET", "^/api/sync$").Count);
        var shop = vault.Pins.Ciphers.Keys.Except([bank, mail]).Single();
        Assert.True(vault.Pins.Ciphers[shop].HasKey);
        var posts = vault.Proxy.Requests("POST", "^/api/ciphers$").Count;

        vault.Proxy.Arm(VaultScenarios.CipherKeyStripped(bank));
        (code, _, error) = await vault.RunAsync("sync");
        Assert.Equal(20, code);
        Assert.Contains("server integrity check failed (cipher-key-stripped)", error, StringComparison.Ordinal);
        var list = await vault.OkAsync("list");
        Assert.DoesNotContain("Bank", list, StringComparison.Ordinal);
        Assert.Contains("Mail", list, StringComparison.Ordinal);
        Assert.Equal(pinned, vault.Pins.Ciphers[bank]);
        Assert.NotEqual(0, (await vault.RunAsync("edit", bank.ToString(), "--password", "new")).ExitCode);

        // The server's stored copy had its key all along: honest again, everything is back and nothing was lost.
        vault.Proxy.Disarm();
        await vault.OkAsync("sync");
        Assert.Contains("Bank", await vault.OkAsync("list"), StringComparison.Ordinal);
        Assert.Equal("bank-secret-1", (await vault.OkAsync("get", "password", "Bank")).Trim());
        Assert.Equal(posts, vault.Proxy.Requests("POST", "^/api/ciphers$").Count);
        Assert.Empty(vault.Proxy.Requests("PUT", "^/api/ciphers/"));
        vault.AssertNoHarmfulWrite();
        Assert.Empty(vault.Proxy.Leaks(Secret.Text("p1", "bank-secret-1"), Secret.Text("p2", "mail-secret-2"), Secret.Text("p3", "shop-secret-3")));
    }

    [Fact]
    public async Task SwapInItem_QuarantinesTheItem_HiddenUntilReviewAccepts_AndNoTerminalMeansNo()
    {
        await using var vault = await HostileVault.StartAsync(server.BaseUrl);
        var bank = await vault.AddLoginAsync("Bank", "ann", "bank-secret-1");
        await vault.AddLoginAsync("Mail", "ann", "mail-secret-2");
        await vault.OkAsync("sync");
        var pins = vault.Pins;

        vault.Proxy.Arm(VaultScenarios.SwapInItem(bank));
        var (code, _, error) = await vault.RunAsync("sync");

        Assert.Equal(0, code);
        Assert.Contains("quarantined (ciphertext-moved)", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Bank", await vault.OkAsync("list"), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, (await vault.RunAsync("get", "password", "Bank")).ExitCode);
        Assert.Equal(pins.Ciphers[bank], vault.Pins.Ciphers[bank]);
        Assert.Equal(pins.CiphertextIndex.Where(e => e.Value.OwnerId == bank), vault.Pins.CiphertextIndex.Where(e => e.Value.OwnerId == bank));

        var review = await vault.OkAsync("vault", "review");
        Assert.Contains("ciphertext-moved\tBank", review, StringComparison.Ordinal);
        Assert.Contains("Kept hidden.", review, StringComparison.Ordinal);
        Assert.DoesNotContain("Bank", await vault.OkAsync("list"), StringComparison.Ordinal);

        vault.Cli.Terminal = _ => "y";
        Assert.Contains("Accepted.", await vault.OkAsync("vault", "review"), StringComparison.Ordinal);
        Assert.Equal("ann", (await vault.OkAsync("get", "password", "Bank")).Trim());
        var (again, _, quiet) = await vault.RunAsync("sync");
        Assert.Equal(0, again);
        Assert.DoesNotContain("quarantined", quiet, StringComparison.Ordinal);
        vault.AssertNoHarmfulWrite();
        Assert.Empty(vault.Proxy.Requests("PUT", "^/api/ciphers/"));
        Assert.Empty(vault.Proxy.Leaks(Secret.Text("p1", "bank-secret-1"), Secret.Text("p2", "mail-secret-2")));
    }

    [Fact]
    public async Task SwapCrossItem_BetweenLegacyItems_IsRefusedOnAWarmAndOnAColdCache()
    {
        await using var vault = await HostileVault.StartAsync(server.BaseUrl);
        var a = await vault.CreateDirectAsync(vault.Legacy("Alpha", "ann", "alpha-secret-1"));
        var b = await vault.CreateDirectAsync(vault.Legacy("Beta", "bob", "beta-secret-2"));
        await vault.OkAsync("sync");
        Assert.Contains("Alpha", await vault.OkAsync("list"), StringComparison.Ordinal);
        var pins = vault.Pins.ToJson();

        vault.Proxy.Arm(VaultScenarios.SwapCrossItem(b, a));
        var (code, _, error) = await vault.RunAsync("sync");

        Assert.Equal(20, code);
        Assert.Contains("server integrity check failed (ciphertext-reused)", error, StringComparison.Ordinal);
        Assert.Equal(pins, vault.Pins.ToJson());
        Assert.Equal("notes of Alpha", (await vault.OkAsync("get", "notes", "Alpha")).Trim());

        var (fresh, login) = await vault.FreshDeviceAsync();
        using (fresh)
        {
            Assert.Equal(20, login.ExitCode);
            Assert.Contains("(ciphertext-reused)", login.Error, StringComparison.Ordinal);
            Assert.Null(HostileVault.ReadSession(fresh).Sync);
        }

        // Moved rather than copied, a warm cache sees both items' ciphertexts in the wrong places.
        vault.Proxy.Arm(VaultScenarios.SwapCrossItem(b, a, copy: false));
        (code, _, error) = await vault.RunAsync("sync");
        Assert.Equal(0, code);
        Assert.Contains($"quarantined (ciphertext-moved): Item {a}", error, StringComparison.Ordinal);
        Assert.Contains($"quarantined (ciphertext-moved): Item {b}", error, StringComparison.Ordinal);
        Assert.Empty(vault.Proxy.Leaks(Secret.Text("p1", "alpha-secret-1"), Secret.Text("p2", "beta-secret-2")));
        vault.AssertNoHarmfulWrite();
    }

    [Fact]
    public async Task MetaRepromptOff_QuarantinesTheItem_AndThePinKeepsRepromptOn()
    {
        await using var vault = await HostileVault.StartAsync(server.BaseUrl);
        using (var userKey = vault.UserKey())
        {
            await vault.CreateDirectAsync(VaultCrypto.Encrypt(new VaultItem { Name = "Vault root", Reprompt = 1, Login = new LoginView { Password = "root-secret-1" } }, userKey));
        }

        await vault.OkAsync("sync");
        var id = vault.Pins.Ciphers.Single().Key;
        Assert.Equal(1, vault.Pins.Ciphers[id].Reprompt);

        vault.Proxy.Arm(VaultScenarios.MetaRepromptOff());
        var (code, _, error) = await vault.RunAsync("sync");

        Assert.Equal(0, code);
        Assert.Contains("quarantined (meta-reprompt-off)", error, StringComparison.Ordinal);
        Assert.Contains("re-prompt was switched off by the server", error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, (await vault.RunAsync("get", "item", id.ToString())).ExitCode);
        Assert.Equal(1, vault.Pins.Ciphers[id].Reprompt);
        Assert.Equal(0, vault.Session.Withheld.Single().Cipher.Reprompt);
        vault.AssertNoHarmfulWrite();
        Assert.Empty(vault.Proxy.Leaks(Secret.Text("p", "root-secret-1")));
    }

    [Fact]
    public async Task TypeChange_IsRefusedForThatItemOnly_OnceWith20_ThenAsANotice()
    {
        await using var vault = await HostileVault.StartAsync(server.BaseUrl);
        var bank = await vault.AddLoginAsync("Bank", "ann", "bank-secret-1");
        await vault.AddLoginAsync("Mail", "ann", "mail-secret-2");
        await vault.OkAsync("sync");

        vault.Proxy.Arm(VaultScenarios.TypeChange(bank));
        var (code, _, error) = await vault.RunAsync("sync");
        Assert.Equal(20, code);
        Assert.Contains("server integrity check failed (type-change)", error, StringComparison.Ordinal);
        var list = await vault.OkAsync("list");
        Assert.DoesNotContain("Bank", list, StringComparison.Ordinal);
        Assert.Contains("Mail", list, StringComparison.Ordinal);
        Assert.Equal(1, vault.Pins.Ciphers[bank].Type);

        (code, _, error) = await vault.RunAsync("sync");
        Assert.Equal(0, code);
        Assert.Contains("refused (type-change)", error, StringComparison.Ordinal);
        vault.Cli.Terminal = _ => "y";
        Assert.Contains("cannot be accepted", await vault.OkAsync("vault", "review"), StringComparison.Ordinal);
        Assert.DoesNotContain("Bank", await vault.OkAsync("list"), StringComparison.Ordinal);
        vault.AssertNoHarmfulWrite();
        Assert.Empty(vault.Proxy.Leaks(Secret.Text("p1", "bank-secret-1"), Secret.Text("p2", "mail-secret-2")));
    }

    [Fact]
    public async Task Rollback_AnOlderAccountState_WarnsAndGoesOn_AndThePinStaysAtTheNewest()
    {
        await using var vault = await HostileVault.StartAsync(server.BaseUrl);
        await vault.AddLoginAsync("Bank", "ann", "bank-secret-1");
        var rollback = VaultScenarios.Rollback();
        vault.Proxy.Arm(rollback.Capture);
        await vault.OkAsync("sync");
        vault.Proxy.Disarm();
        await Task.Delay(20);
        await vault.OkAsync("folder", "add", "Later");
        var newest = vault.Pins.AccountRevisionDate;

        vault.Proxy.Arm(rollback.Serve);
        var (code, _, error) = await vault.RunAsync("sync");

        Assert.Equal(0, code);
        Assert.Contains("coffer: warning (rollback)", error, StringComparison.Ordinal);
        Assert.Equal(newest, vault.Pins.AccountRevisionDate);
        Assert.Contains("Bank", await vault.OkAsync("list"), StringComparison.Ordinal);
        vault.AssertNoHarmfulWrite();
        Assert.Empty(vault.Proxy.Leaks(Secret.Text("p1", "bank-secret-1")));
    }

    [Fact]
    public async Task ItemRollback_AnOlderVersionOfAnItem_IsQuarantined_AndItsNewerPinKept()
    {
        await using var vault = await HostileVault.StartAsync(server.BaseUrl);
        var bank = await vault.AddLoginAsync("Bank", "ann", "old-secret-1");
        var rollback = VaultScenarios.ItemRollback(bank);
        vault.Proxy.Arm(rollback.Capture);
        await vault.OkAsync("sync");
        vault.Proxy.Disarm();
        await vault.OkAsync("edit", "Bank", "--password", "new-secret-2");
        var newer = vault.Pins.Ciphers[bank];

        vault.Proxy.Arm(rollback.Serve);
        var (code, _, error) = await vault.RunAsync("sync");

        Assert.Equal(0, code);
        Assert.Contains("quarantined (item-rollback)", error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, (await vault.RunAsync("get", "password", "Bank")).ExitCode);
        Assert.Equal(newer, vault.Pins.Ciphers[bank]);

        vault.Proxy.Disarm();
        await vault.OkAsync("sync");
        Assert.Equal("new-secret-2", (await vault.OkAsync("get", "password", "Bank")).Trim());
        vault.AssertNoHarmfulWrite();
        Assert.Empty(vault.Proxy.Leaks(Secret.Text("p1", "old-secret-1"), Secret.Text("p2", "new-secret-2")));
    }

    [Fact]
    public async Task Vanish_WithheldItemsAreListedOnce_ButNotTheOneDeletedHere()
    {
        await using var vault = await HostileVault.StartAsync(server.BaseUrl);
        var bank = await vault.AddLoginAsync("Bank", "ann", "bank-secret-1");
        var mail = await vault.AddLoginAsync("Mail", "ann", "mail-secret-2");
        var shop = await vault.AddLoginAsync("Shop", "ann", "shop-secret-3");
        await vault.OkAsync("rm", "Shop", "--permanent");
        var (baseline, _, quiet) = await vault.RunAsync("sync");
        Assert.Equal(0, baseline);
        Assert.DoesNotContain("vanish", quiet, StringComparison.Ordinal);

        vault.Proxy.Arm(VaultScenarios.Vanish(mail));
        var (code, _, error) = await vault.RunAsync("sync");

        Assert.Equal(0, code);
        Assert.Contains("coffer: warning (vanish): 1 item(s) vanished", error, StringComparison.Ordinal);
        Assert.Contains(mail.ToString(), error, StringComparison.Ordinal);
        Assert.DoesNotContain(shop.ToString(), error, StringComparison.Ordinal);
        Assert.Equal([bank], vault.Pins.Ciphers.Keys);
        Assert.DoesNotContain("vanish", (await vault.RunAsync("sync")).Error, StringComparison.Ordinal);
        vault.AssertNoHarmfulWrite();
    }

    [Fact]
    public async Task IconLeak_TheCliFetchesNoIcon_RefusesTheCopiedPassword_AndDropsAUriWhoseChecksumFails()
    {
        await using var vault = await HostileVault.StartAsync(server.BaseUrl);
        var keyed = Guid.Parse((await vault.OkAsync(
            "add", "login", "--name", "Keyed", "--password", "keyed.secret.example", "--uri", "https://keyed.example", "--notes", "keyed.notes.example")).Trim());
        var legacy = await vault.CreateDirectAsync(vault.Legacy("Legacy", "bob", "legacy.secret.example", "https://legacy.example"));
        await vault.OkAsync("sync");
        Assert.Equal("https://keyed.example", (await vault.OkAsync("get", "uri", "Keyed")).Trim());

        vault.Proxy.Arm(VaultScenarios.IconLeak(keyed, legacy));
        var (code, _, error) = await vault.RunAsync("sync");
        Assert.Equal(20, code);
        Assert.Contains("(ciphertext-reused)", error, StringComparison.Ordinal);
        Assert.Equal("https://keyed.example", (await vault.OkAsync("get", "uri", "Keyed")).Trim());

        // A fresh device (no pins, no cache) served the keyed item with its URI and notes ciphertexts exchanged: no
        // duplicate and nothing pinned to compare with, but the uriChecksum no longer matches, so the URI is left out.
        vault.Proxy.Arm(new HostileScenario("icon-leak", VaultScenarios.CipherRules(
            c => VaultScenarios.IdOf(c) == keyed,
            c =>
            {
                var uri = c["login"]!["uris"]![0]!.AsObject();
                (uri["uri"], c["notes"]) = (c["notes"]?.DeepClone(), uri["uri"]?.DeepClone());
            })));
        var (cold, login) = await vault.FreshDeviceAsync();
        using (cold)
        {
            Assert.Equal(0, login.ExitCode);
            var (get, _, warning) = await cold.RunAsync("get", "uri", "Keyed", "--passwordenv", "MP");
            Assert.Equal(ExitCodes.NotFound, get);
            Assert.Contains("coffer: warning (uri-checksum)", warning, StringComparison.Ordinal);
        }

        // Nothing ever asked for an icon: every request went to the API or identity routes of the one server.
        Assert.All(vault.Proxy.Egress, r => Assert.Matches("^/(api|identity)/", r.Path));
        Assert.DoesNotContain(vault.Proxy.Egress, r => r.Path.Contains("icon", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(vault.Proxy.Leaks(Secret.Text("p1", "keyed.secret.example"), Secret.Text("p2", "legacy.secret.example"), Secret.Text("n", "keyed.notes.example")));
        vault.AssertNoHarmfulWrite();
    }
}
