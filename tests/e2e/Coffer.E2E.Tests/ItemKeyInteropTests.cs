using Coffer.Client.Crypto;
using Coffer.Client.Vault;
using Coffer.E2E.Tests.Harness;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;

namespace Coffer.E2E.Tests;

/// <summary>
/// The vault defences against a dishonest server (malicious-server.md BW05, BW06, BW10) change no data format: the
/// official bw reads every item the defended coffer writes (new items with their own key, legacy items re-keyed by an
/// edit or by <c>coffer vault upgrade-items</c>, a <c>uriChecksum</c> for every URI), and coffer reads and edits what bw
/// writes.
/// </summary>
public sealed class ItemKeyInteropTests(E2EFixture fixture) : IClassFixture<E2EFixture>
{
    [Fact]
    public async Task EveryItemTheDefendedCofferWrote_NewRekeyedOnEditOrUpgraded_IsReadByBw_UrisIncluded()
    {
        var account = TestAccount.CreateUnique();
        var bw = await fixture.RegisterAndLoginBwAsync(account);
        var server = new Uri(fixture.Server.Url);
        using var api = await ApiSession.LoginAsync(fixture.Certificates, server, account);
        var edited = await api.Client.CreateCipherAsync(Legacy(api.UserKey, "Old router", "admin", "r0uter-old", "https://router.example"));
        var upgraded = await api.Client.CreateCipherAsync(Legacy(api.UserKey, "Old mail", "erin", "m4il-old", "https://mail.example"));
        var coffer = fixture.NewCoffer(account);
        await coffer.LoginAsync(fixture.Server.Url);

        var created = (await coffer.OkAsync("coffer add login", "add", "login", "--name", "New wiki", "--username", "frank",
            "--password", "w1k1-new ✓", "--uri", "https://wiki.example.org/login", "--uri", "https://wiki.example.org/alt", "--notes", "from coffer")).Trim();
        await coffer.OkAsync("coffer edit (re-keys a legacy item)", "edit", "Old router", "--password", "r0uter-new");
        var upgrade = await coffer.OkAsync("coffer vault upgrade-items", "vault", "upgrade-items");
        Assert.Contains("Gave 1 item(s) their own key.", upgrade, StringComparison.Ordinal);

        // On the wire now: every cipher has a key, every URI a checksum that holds under that key.
        var sync = await api.Client.SyncAsync();
        Assert.Equal(3, sync.Ciphers.Count);
        foreach (var cipher in sync.Ciphers)
        {
            Assert.False(string.IsNullOrEmpty(cipher.Key), $"{cipher.Id} has no key");
            var item = VaultCrypto.Decrypt(cipher, api.UserKey);
            Assert.Equal(0, item.RejectedUris);
            Assert.Equal(cipher.Login!.Uris!.Count, item.Login!.Uris.Count);
        }

        await bw.OkAsync("bw sync", "sync");
        var wiki = await bw.JsonAsync("bw get item (new)", "get", "item", created);
        var router = await bw.JsonAsync("bw get item (re-keyed by edit)", "get", "item", edited.Id.ToString());
        var mail = await bw.JsonAsync("bw get item (upgraded)", "get", "item", upgraded.Id.ToString());

        Assert.Equal("w1k1-new ✓", wiki.Text("login", "password"));
        Assert.Equal("from coffer", wiki.Text("notes"));
        Assert.Equal(["https://wiki.example.org/login", "https://wiki.example.org/alt"], wiki.GetProperty("login").GetProperty("uris").Items().Select(u => u.Text("uri")));
        Assert.Equal("r0uter-new", router.Text("login", "password"));
        Assert.Equal("admin", router.Text("login", "username"));
        Assert.Equal("https://router.example", router.FirstUri());
        Assert.Equal("r0uter-old", Assert.Single(router.GetProperty("passwordHistory").Items()).Text("password"));
        Assert.Equal("m4il-old", mail.Text("login", "password"));
        Assert.Equal("https://mail.example", mail.FirstUri());
        Assert.Equal("notes of Old mail", mail.Text("notes"));
    }

    [Fact]
    public async Task ItemsBwWrote_AreReadAndEditedByTheDefendedCoffer_AndBwReadsTheEdit()
    {
        var account = TestAccount.CreateUnique();
        var bw = await fixture.RegisterAndLoginBwAsync(account);
        var item = await bw.JsonAsync("bw create item", "create", "item", BwClient.Encode(
            BwJson.LoginItem("Git Hosting", "erin", "g1t-Pa55", "https://git.example.com", "by bw", folderId: null)));
        var coffer = fixture.NewCoffer(account);
        await coffer.LoginAsync(fixture.Server.Url);

        var synced = await coffer.RunAsync("sync");
        Assert.True(synced.Succeeded, synced.ToString());
        Assert.DoesNotContain("coffer: ", synced.StdErr, StringComparison.Ordinal);
        Assert.Equal("g1t-Pa55\n", await coffer.OkAsync("coffer get password", "get", "password", "Git Hosting"));
        Assert.Equal("https://git.example.com\n", await coffer.OkAsync("coffer get uri", "get", "uri", "Git Hosting"));
        await coffer.OkAsync("coffer edit", "edit", "Git Hosting", "--password", "g1t-Pa55-2");
        await bw.OkAsync("bw sync", "sync");
        var read = await bw.JsonAsync("bw get item", "get", "item", item.Id());

        Assert.Equal("g1t-Pa55-2", read.Text("login", "password"));
        Assert.Equal("https://git.example.com", read.FirstUri());
        Assert.Equal("by bw", read.Text("notes"));
    }

    // A login as clients before per-item keys wrote it: every field under the user key, no key, no URI checksum.
    private static CipherRequestModel Legacy(SymmetricKey userKey, string name, string username, string password, string uri)
    {
        string E(string text) => EncString.EncryptString(text, userKey).ToString();
        return new CipherRequestModel
        {
            Type = CipherType.Login,
            Name = E(name),
            Notes = E($"notes of {name}"),
            Login = new CipherLoginModel { Username = E(username), Password = E(password), Uris = [new CipherLoginUriModel { Uri = E(uri) }] },
        };
    }
}
