using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>§4.5–4.8 and §4.1: revision date, profile, user-key id, known device and config.</summary>
public sealed class AccountTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task RevisionDate_IsABareEpochMillisecondNumber()
    {
        var before = factory.Clock.GetUtcNow().AddMinutes(-1).ToUnixTimeMilliseconds();
        var account = await TestAccount.CreateAsync(factory);

        using var response = await account.Client.GetAsync("/api/accounts/revision-date");
        var json = await response.ExpectJsonAsync();

        Assert.Equal(JsonValueKind.Number, json?.GetValueKind());
        var value = json!.GetValue<long>();
        Assert.InRange(value, before, factory.Clock.GetUtcNow().AddMinutes(1).ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task RevisionDate_IncreasesAfterEveryVaultChange()
    {
        var account = await TestAccount.CreateAsync(factory);
        var client = account.Client;
        var last = await account.RevisionDateAsync();
        var folderId = "";
        var cipherId = "";

        async Task ChangeAsync(string what, Func<Task<HttpResponseMessage>> change)
        {
            // Leave the clock room to move, so "increases" is about the server's bookkeeping and not about timing.
            await Task.Delay(15);
            using (var response = await change())
            {
                await response.ExpectSuccessAsync();
                if (what == "create folder")
                {
                    folderId = (await response.ReadJsonAsync()).RequireString("id");
                }
                else if (what == "create cipher")
                {
                    cipherId = (await response.ReadJsonAsync()).RequireString("id");
                }
            }

            var now = await account.RevisionDateAsync();
            Assert.True(now > last, $"revision date did not increase after '{what}': {last} -> {now}");
            last = now;
        }

        await ChangeAsync("create folder", () => client.PostJsonAsync("/api/folders", Payloads.Folder()));
        await ChangeAsync("rename folder", () => client.PutJsonAsync($"/api/folders/{folderId}", Payloads.Folder()));
        await ChangeAsync("create cipher", () => client.PostJsonAsync("/api/ciphers", Payloads.LoginCipher()));
        await ChangeAsync("edit cipher", () => client.PutJsonAsync($"/api/ciphers/{cipherId}", Payloads.LoginCipher()));
        await ChangeAsync("move cipher", () => client.PutJsonAsync("/api/ciphers/move", new JsonObject { ["ids"] = new JsonArray(cipherId), ["folderId"] = folderId }));
        await ChangeAsync("soft delete", () => client.SendEmptyAsync(HttpMethod.Put, $"/api/ciphers/{cipherId}/delete"));
        await ChangeAsync("restore", () => client.SendEmptyAsync(HttpMethod.Put, $"/api/ciphers/{cipherId}/restore"));
        await ChangeAsync("delete folder", () => client.DeleteAsync($"/api/folders/{folderId}"));
        await ChangeAsync("hard delete", () => client.DeleteAsync($"/api/ciphers/{cipherId}"));
        await ChangeAsync("import", () => client.PostJsonAsync("/api/ciphers/import", new JsonObject
        {
            ["ciphers"] = new JsonArray(Payloads.LoginCipher()),
            ["folders"] = new JsonArray(),
            ["folderRelationships"] = new JsonArray(),
        }));
    }

    [Fact]
    public async Task RevisionDate_AfterConcurrentChanges_IsNotOlderThanAnyChange()
    {
        // bw sync fetches only when the revision date is newer than its last sync (§4.6): if a change that
        // committed last carried an older timestamp, a device that synced in between would never see it.
        var account = await TestAccount.CreateAsync(factory);

        for (var round = 0; round < 20; round++)
        {
            var created = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
            {
                using var response = await account.Client.PostJsonAsync("/api/ciphers", Payloads.LoginCipher());
                return await response.ExpectObjectAsync();
            }));

            var newest = created.Max(c => c.RequireUtcDate("revisionDate")).ToUnixTimeMilliseconds();
            var revision = await account.RevisionDateAsync();
            Assert.True(revision >= newest, $"round {round}: revision date {revision} is older than a change made at {newest}");
        }
    }

    [Fact]
    public async Task RevisionDate_DoesNotChangeOnReads()
    {
        var account = await TestAccount.CreateAsync(factory);
        var before = await account.RevisionDateAsync();

        await account.SyncAsync();
        using (await account.Client.GetAsync("/api/ciphers"))
        {
        }

        Assert.Equal(before, await account.RevisionDateAsync());
    }

    [Fact]
    public async Task UserKeyId_Valid_IsStoredAndReturnedInSync()
    {
        var account = await TestAccount.CreateAsync(factory);
        var keyId = Fake.UserKeyId();

        using var response = await account.Client.PostJsonAsync("/api/accounts/key-management/user-key-id", new JsonObject { ["userKeyId"] = keyId });

        await response.ExpectSuccessAsync();
        var sync = await account.SyncAsync();
        Assert.Equal(keyId, (string?)sync["userDecryption"]?["userKeyId"]);
    }

    [Fact]
    public async Task UserKeyId_BeforeBackfill_IsNullInSync()
    {
        var account = await TestAccount.CreateAsync(factory);

        var sync = await account.SyncAsync();

        // Null or absent both make the CLI run the backfill (§3.2 step 6).
        var decryption = Assert.IsType<JsonObject>(sync["userDecryption"]);
        Assert.Null(decryption["userKeyId"]);
    }

    [Theory]
    [InlineData("\"AC4ECFFB2E087A59180D1DD19950B8E9\"")]
    [InlineData("\"ac4ecffb2e087a59180d1dd19950b8e\"")]
    [InlineData("\"ac4ecffb2e087a59180d1dd19950b8e9a\"")]
    [InlineData("\"zc4ecffb2e087a59180d1dd19950b8e9\"")]
    [InlineData("\"ac4ecffb-2e08-7a59-180d-1dd19950b8e9\"")]
    [InlineData("\"\"")]
    [InlineData("null")]
    [InlineData("42")]
    public async Task UserKeyId_Invalid_Returns400AndKeepsThePreviousId(string value)
    {
        var account = await TestAccount.CreateAsync(factory);
        var valid = Fake.UserKeyId();
        using (var set = await account.Client.PostJsonAsync("/api/accounts/key-management/user-key-id", new JsonObject { ["userKeyId"] = valid }))
        {
            await set.ExpectSuccessAsync();
        }

        using var response = await account.Client.SendRawAsync(HttpMethod.Post, "/api/accounts/key-management/user-key-id", $"{{\"userKeyId\":{value}}}");

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal(valid, (string?)(await account.SyncAsync())["userDecryption"]?["userKeyId"]);
    }

    [Fact]
    public async Task UserKeyId_MissingProperty_Returns400()
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await account.Client.PostJsonAsync("/api/accounts/key-management/user-key-id", new JsonObject());

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Profile_MatchesTheSyncProfile()
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await account.Client.GetAsync("/api/accounts/profile");
        var profile = await response.ExpectObjectAsync();

        Assert.Equal("profile", (string?)profile["object"]);
        Assert.Equal(account.UserId, (string?)profile["id"]);
        Assert.Equal(account.Email, (string?)profile["email"]);
        Assert.Equal(account.Credentials.UserKey, (string?)profile["key"]);
        Assert.True(JsonNode.DeepEquals(profile, (await account.SyncAsync())["profile"]));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task KnownDevice_AfterLoginFromThatDevice_IsTrue(bool padded)
    {
        var account = await TestAccount.CreateAsync(factory);

        var known = await KnownDeviceAsync(account.Email, account.DeviceIdentifier, padded);

        Assert.True(known);
    }

    [Fact]
    public async Task KnownDevice_OtherDeviceOrOtherAccountOrUnknownEmail_IsFalse()
    {
        var account = await TestAccount.CreateAsync(factory);
        var other = await TestAccount.CreateAsync(factory);

        Assert.False(await KnownDeviceAsync(account.Email, Fake.DeviceIdentifier(), padded: false));
        Assert.False(await KnownDeviceAsync(account.Email, other.DeviceIdentifier, padded: false));
        Assert.False(await KnownDeviceAsync(Fake.Email(), account.DeviceIdentifier, padded: false));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Config_ReturnsEmptyFeatureStates(bool authenticated)
    {
        var client = authenticated ? (await TestAccount.CreateAsync(factory)).Client : factory.CreateClient();

        using var response = await client.GetAsync("/api/config");
        var config = await response.ExpectObjectAsync();

        var features = Assert.IsType<JsonObject>(config["featureStates"]);
        Assert.Empty(features);
    }

    [Theory]
    [InlineData(null, "00000000-0000-0000-0000-000000000001")]
    [InlineData("not base64 !!!", "00000000-0000-0000-0000-000000000001")]
    [InlineData("dXNlckBleGFtcGxlLmNvbQ", null)]
    [InlineData("dXNlckBleGFtcGxlLmNvbQ", "")]
    public async Task KnownDevice_MissingOrMalformedHeaders_IsAClientAnswerNotAServerError(string? email, string? device)
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/devices/knowndevice");
        if (email is not null)
        {
            request.Headers.Add("X-Request-Email", email);
        }

        if (device is not null)
        {
            request.Headers.Add("X-Device-Identifier", device);
        }

        using var response = await client.SendAsync(request);

        Assert.InRange((int)response.StatusCode, 200, 499);
        Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
        if (response.IsSuccessStatusCode)
        {
            Assert.False((await response.ReadJsonAsync())!.GetValue<bool>());
        }
    }

    private async Task<bool> KnownDeviceAsync(string email, string deviceIdentifier, bool padded)
    {
        var encoded = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(email));
        if (padded)
        {
            encoded = encoded.PadRight((encoded.Length + 3) / 4 * 4, '=');
        }

        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/devices/knowndevice");
        request.Headers.Add("X-Request-Email", encoded);
        request.Headers.Add("X-Device-Identifier", deviceIdentifier);
        using var response = await client.SendAsync(request);
        var json = await response.ExpectJsonAsync();
        return json!.GetValue<bool>();
    }
}
