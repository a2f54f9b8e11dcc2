using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>
/// The request sequences <c>bw</c> 2026.9.0 was observed to send (protocol doc §3), replayed with its headers,
/// using the worked account of §2.5 where the exact values matter.
/// </summary>
public sealed class CliFlowTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    // §2.5: "  Test.User@Example.com " / "correct horse battery staple" / PBKDF2 600000.
    private const string TypedEmail = "  Test.User@Example.com ";
    private const string GoldenHash = "8AEEbHxCm2lc7xB4rDSd7kTuEFYiwVr9OP7XJIuDWno=";
    private const string GoldenUserKey = "2.EBESExQVFhcYGRobHB0eHw==|fjUj+qXsOw8q74Q2cj0SW5sLFjEx6f9sNc1okj59wFpakPJFrvjFZsYneilVqpmgBJSqR2gV1I4pqt2ILVAe85gL7wXJChpbEjofiX8kiVY=|EaPnOGHg782SlkgE00WvyLfVodbscqXhlee5VwLJ3eY=";
    private const string GoldenKeyId = "ac4ecffb2e087a59180d1dd19950b8e9";
    private const string GoldenFieldValue = "2.ICEiIyQlJicoKSorLC0uLw==|19uTEO+jRM10UBP+ispCIUz8VEHlXprzd11N7YirwJ0=|RcTZUAN3R2QrOF23pffDeCPXTJop7Fl7qfQWAGXCS0E=";

    [Fact]
    public async Task BwLogin_GoldenAccount_RunsTheKeyIdBackfillOnceAndThenSettles()
    {
        var account = new Credentials(TypedEmail, "Test User", GoldenHash, Kdf.Pbkdf2, GoldenUserKey, Fake.PublicKey, Fake.EncString());
        await IdentityApi.RegisterAsync(factory.CreateClient(), account);
        var device = Fake.DeviceIdentifier();
        var anonymous = CliClient(device);

        // §3.2 steps 1–3.
        using (var config = await anonymous.GetAsync("/api/config"))
        {
            await config.ExpectObjectAsync();
        }

        var prelogin = await IdentityApi.PreloginAsync(anonymous, "test.user@example.com");
        Assert.Equal(600_000, (int?)prelogin["kdfSettings"]?["iterations"]);
        using var login = await IdentityApi.PasswordGrantAsync(anonymous, TypedEmail, GoldenHash, device);
        var token = await login.ExpectObjectAsync();
        Assert.Equal("test.user@example.com", (string?)token.Cli("UserDecryptionOptions").Cli("MasterPasswordUnlock").Cli("Salt"));
        var api = CliClient(device, token.RequireString("access_token"));

        // Steps 4–5: the first sync has no key id, so the CLI runs the backfill (step 6).
        using (var config = await api.GetAsync("/api/config"))
        {
            await config.ExpectObjectAsync();
        }

        var first = await SyncAsync(api);
        Assert.Null(first["userDecryption"]?["userKeyId"]);
        await RevisionDateAsync(api);
        await RevisionDateAsync(api);
        using (var keyId = await api.PostJsonAsync("/api/accounts/key-management/user-key-id", new JsonObject { ["userKeyId"] = GoldenKeyId }))
        {
            await keyId.ExpectSuccessAsync();
        }

        using var refresh = await IdentityApi.RefreshAsync(anonymous, token.RequireString("refresh_token"));
        var refreshed = await refresh.ExpectObjectAsync();
        api.DefaultRequestHeaders.Authorization = new("Bearer", refreshed.RequireString("access_token"));
        var second = await SyncAsync(api);
        Assert.Equal(GoldenKeyId, (string?)second["userDecryption"]?["userKeyId"]);
        Assert.Equal((string?)first["profile"]?["securityStamp"], (string?)second["profile"]?["securityStamp"]);

        // A second `bw login` stops after the sync: the key id is known now.
        using var again = await IdentityApi.PasswordGrantAsync(anonymous, TypedEmail, GoldenHash, device);
        await again.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.Equal(GoldenKeyId, (string?)(await SyncAsync(api))["userDecryption"]?["userKeyId"]);
    }

    [Fact]
    public async Task BwItemLifecycle_CreateEditDeleteRestorePurge_KeepsTheCacheConsistent()
    {
        var account = await TestAccount.CreateAsync(factory);
        var api = CliClient(account.DeviceIdentifier, account.AccessToken);
        var lastSync = await RevisionDateAsync(api);

        // bw create item: the CLI sends a lastKnownRevisionDate even on create (§7.3).
        var item = Payloads.LoginCipher(encryptedFor: account.UserId);
        item["fields"]![0]!["value"] = GoldenFieldValue;
        item["lastKnownRevisionDate"] = "2020-01-01T00:00:00.000Z";
        using var create = await api.PostJsonAsync("/api/ciphers", item);
        var created = await create.ExpectObjectAsync();
        var id = created.RequireString("id");
        Assert.Equal(GoldenFieldValue, (string?)created["fields"]?[0]?["value"]);

        // bw sync (not forced): fetches only because the revision date moved past the last sync.
        Assert.True(await RevisionDateAsync(api) > lastSync);

        // bw edit item: lastKnownRevisionDate is the cached revisionDate at millisecond precision.
        var edit = Payloads.LoginCipher(encryptedFor: account.UserId);
        edit["lastKnownRevisionDate"] = created.RequireUtcDate("revisionDate").ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        using var put = await api.PutJsonAsync($"/api/ciphers/{id}", edit);
        var edited = await put.ExpectObjectAsync();

        // bw delete item, bw restore item, bw delete item --permanent.
        using (var trash = await api.SendEmptyAsync(HttpMethod.Put, $"/api/ciphers/{id}/delete"))
        {
            await trash.ExpectSuccessAsync();
        }

        using var restore = await api.SendEmptyAsync(HttpMethod.Put, $"/api/ciphers/{id}/restore");
        var restored = await restore.ExpectObjectAsync();
        Assert.Equal((string?)edited["name"], (string?)restored["name"]);
        Assert.Null(restored["deletedDate"]);

        // An edit with the restored revisionDate still passes the stale-write check.
        edit["lastKnownRevisionDate"] = restored["revisionDate"]?.DeepClone();
        using (var again = await api.PutJsonAsync($"/api/ciphers/{id}", edit))
        {
            await again.ExpectStatusAsync(HttpStatusCode.OK);
        }

        using (var purge = await api.DeleteAsync($"/api/ciphers/{id}"))
        {
            await purge.ExpectSuccessAsync();
        }

        Assert.Empty((await SyncAsync(api)).RequireArray("ciphers"));
    }

    /// <summary>A client that sends what the CLI sends (§1.2).</summary>
    private HttpClient CliClient(string deviceIdentifier, string? accessToken = null)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("Device-Type", "25");
        client.DefaultRequestHeaders.Add("Bitwarden-Client-Name", "cli");
        client.DefaultRequestHeaders.Add("Bitwarden-Client-Version", "2026.9.0");
        client.DefaultRequestHeaders.UserAgent.ParseAdd("Bitwarden_CLI/2026.9.0 (LINUX)");
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        client.DefaultRequestHeaders.CacheControl = new CacheControlHeaderValue { NoStore = true };
        client.DefaultRequestHeaders.Pragma.ParseAdd("no-cache");
        if (accessToken is null)
        {
            client.DefaultRequestHeaders.Add("Device-Identifier", deviceIdentifier);
        }
        else
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        return client;
    }

    private static async Task<JsonObject> SyncAsync(HttpClient api)
    {
        using var response = await api.GetAsync("/api/sync?excludeDomains=true");
        return await response.ExpectObjectAsync();
    }

    private static async Task<long> RevisionDateAsync(HttpClient api)
    {
        await Task.Delay(15);
        using var response = await api.GetAsync("/api/accounts/revision-date");
        return (await response.ExpectJsonAsync())!.GetValue<long>();
    }
}
