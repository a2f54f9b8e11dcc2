using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>§4.4–4.5: <c>GET /api/sync?excludeDomains=true</c>, the one read the CLI builds its cache from.</summary>
public sealed class SyncTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task Sync_NewAccount_HasTheContractShape()
    {
        var account = await TestAccount.CreateAsync(factory);

        var sync = await account.SyncAsync();

        Assert.Equal("sync", (string?)sync["object"]);
        Assert.Empty(sync.RequireArray("folders"));
        Assert.Empty(sync.RequireArray("ciphers"));
        Assert.Empty(sync.RequireArray("collections"));
        Assert.Empty(sync.RequireArray("policies"));
        Assert.Empty(sync.RequireArray("sends"));
        Assert.True(sync.ContainsKey("domains"));
        Assert.Null(sync["domains"]);
    }

    [Fact]
    public async Task Sync_Profile_DescribesTheAccount()
    {
        var account = await TestAccount.CreateAsync(factory);

        var profile = Assert.IsType<JsonObject>((await account.SyncAsync())["profile"]);

        Assert.Equal("profile", (string?)profile["object"]);
        Assert.Equal(account.UserId, (string?)profile["id"]);
        Assert.Equal(account.Email, (string?)profile["email"]);
        Assert.Equal(account.Credentials.UserKey, (string?)profile["key"]);
        Assert.Equal(account.Credentials.PrivateKey, (string?)profile["privateKey"]);
        Assert.False(string.IsNullOrEmpty(profile.RequireString("securityStamp")));
        Assert.Equal(Jwt.Decode(account.AccessToken).Payload["sstamp"]?.ToString(), (string?)profile["securityStamp"]);
        Assert.Equal("privateKeys", (string?)profile["accountKeys"]?["object"]);
    }

    [Fact]
    public async Task Sync_AccountKeys_UseExactCamelCaseInside()
    {
        var account = await TestAccount.CreateAsync(factory);

        var keys = Assert.IsType<JsonObject>((await account.SyncAsync())["profile"]?["accountKeys"]);

        var pair = Assert.IsType<JsonObject>(keys["publicKeyEncryptionKeyPair"]);
        Assert.Equal(account.Credentials.PrivateKey, (string?)pair["wrappedPrivateKey"]);
        Assert.Equal(account.Credentials.PublicKey, (string?)pair["publicKey"]);
        Assert.DoesNotContain(keys, p => p.Key == "PublicKeyEncryptionKeyPair");
        Assert.DoesNotContain(pair, p => p.Key is "WrappedPrivateKey" or "PublicKey");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Sync_UserDecryption_CarriesMasterPasswordUnlock(int kdfType)
    {
        var account = await TestAccount.CreateAsync(factory, kdfType == 0 ? Kdf.Pbkdf2 : Kdf.Argon2id);

        var unlock = (await account.SyncAsync())["userDecryption"]?["masterPasswordUnlock"];

        Assert.NotNull(unlock);
        Assert.Equal(account.Credentials.Salt, (string?)unlock["salt"]);
        Assert.Equal(account.Credentials.UserKey, (string?)unlock["masterKeyEncryptedUserKey"]);
        var kdf = account.Credentials.Kdf;
        Assert.Equal(kdf.Type, (int?)unlock["kdf"]?["kdfType"]);
        Assert.Equal(kdf.Iterations, (int?)unlock["kdf"]?["iterations"]);
        Assert.Equal(kdf.Memory, (int?)unlock["kdf"]?["memory"]);
        Assert.Equal(kdf.Parallelism, (int?)unlock["kdf"]?["parallelism"]);
    }

    [Fact]
    public async Task Sync_SecurityStamp_IsStableAcrossSyncsAndRefreshes()
    {
        var account = await TestAccount.CreateAsync(factory);
        var first = (string?)(await account.SyncAsync())["profile"]?["securityStamp"];

        using (var refresh = await IdentityApi.RefreshAsync(factory.CreateClient(), account.RefreshToken))
        {
            await refresh.ExpectSuccessAsync();
        }

        Assert.Equal(first, (string?)(await account.SyncAsync())["profile"]?["securityStamp"]);
    }

    [Fact]
    public async Task Sync_ListsOwnFoldersAndCiphersOnly()
    {
        var alice = await TestAccount.CreateAsync(factory);
        var bob = await TestAccount.CreateAsync(factory);
        var aliceFolder = await alice.CreateFolderAsync();
        var aliceCipher = await alice.CreateCipherAsync();
        var bobFolder = await bob.CreateFolderAsync();
        var bobCipher = await bob.CreateCipherAsync();

        var sync = await alice.SyncAsync();

        Assert.Equal([(string?)aliceFolder["id"]], sync.RequireArray("folders").Select(f => (string?)f?["id"]));
        Assert.Equal([(string?)aliceCipher["id"]], sync.RequireArray("ciphers").Select(c => (string?)c?["id"]));
        Assert.Null(sync.RequireArray("folders").ById(bobFolder.RequireString("id")));
        Assert.Null(sync.RequireArray("ciphers").ById(bobCipher.RequireString("id")));
    }

    [Fact]
    public async Task Sync_IncludesTrashedCiphersWithDeletedDate()
    {
        var account = await TestAccount.CreateAsync(factory);
        var cipher = await account.CreateCipherAsync();
        var id = cipher.RequireString("id");
        using (var delete = await account.Client.SendEmptyAsync(HttpMethod.Put, $"/api/ciphers/{id}/delete"))
        {
            await delete.ExpectSuccessAsync();
        }

        var synced = await account.SyncedCipherAsync(id);

        Assert.NotNull(synced);
        synced.RequireUtcDate("deletedDate");
    }

    [Fact]
    public async Task Sync_CipherAndFolder_MatchTheirCreateResponses()
    {
        var account = await TestAccount.CreateAsync(factory);
        var folder = await account.CreateFolderAsync();
        var cipher = await account.CreateCipherAsync(Payloads.LoginCipher(folder.RequireString("id")));

        var sync = await account.SyncAsync();

        Assert.True(JsonNode.DeepEquals(folder, sync.RequireArray("folders").ById(folder.RequireString("id"))));
        var synced = sync.RequireArray("ciphers").ById(cipher.RequireString("id"))?.DeepClone().AsObject();
        // The object discriminator may legitimately differ ("cipher" on create upstream, "cipherDetails" in sync).
        cipher.Remove("object");
        synced?.Remove("object");
        Assert.True(JsonNode.DeepEquals(cipher, synced), $"create: {cipher.ToJsonString()}\nsync: {synced?.ToJsonString()}");
    }

    [Fact]
    public async Task Sync_EveryTimestamp_IsUtcWithZ()
    {
        var account = await TestAccount.CreateAsync(factory);
        var folderId = (await account.CreateFolderAsync()).RequireString("id");
        var cipherId = (await account.CreateCipherAsync(Payloads.LoginCipher(folderId))).RequireString("id");
        using (var trash = await account.Client.SendEmptyAsync(HttpMethod.Put, $"/api/ciphers/{cipherId}/delete"))
        {
            await trash.ExpectSuccessAsync();
        }

        var sync = await account.SyncAsync();

        var dates = Strings(sync).Where(s => System.Text.RegularExpressions.Regex.IsMatch(s, @"^\d{4}-\d{2}-\d{2}T")).ToList();
        Assert.NotEmpty(dates);
        Assert.All(dates, d => Assert.EndsWith("Z", d, StringComparison.Ordinal));
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Strings(p.Value)),
        JsonArray a => a.SelectMany(Strings),
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => [v.GetValue<string>()],
        _ => [],
    };

    [Fact]
    public async Task Sync_RightAfterEachChange_ReflectsIt()
    {
        // Sync may be cached per account version; each step syncs first so a stale cached body would show.
        var account = await TestAccount.CreateAsync(factory);
        var client = account.Client;
        await account.SyncAsync();

        var folder = await account.CreateFolderAsync();
        var folderId = folder.RequireString("id");
        Assert.NotNull(await account.SyncedFolderAsync(folderId));

        var renamed = Fake.EncString();
        (await client.PutJsonAsync($"/api/folders/{folderId}", Payloads.Folder(renamed))).Dispose();
        Assert.Equal(renamed, (string?)(await account.SyncedFolderAsync(folderId))?["name"]);

        var cipherId = (await account.CreateCipherAsync()).RequireString("id");
        Assert.NotNull(await account.SyncedCipherAsync(cipherId));

        var edit = Payloads.LoginCipher();
        (await client.PutJsonAsync($"/api/ciphers/{cipherId}", edit)).Dispose();
        Assert.Equal((string?)edit["name"], (string?)(await account.SyncedCipherAsync(cipherId))?["name"]);

        (await client.PutJsonAsync("/api/ciphers/move", new JsonObject { ["ids"] = new JsonArray(cipherId), ["folderId"] = folderId })).Dispose();
        Assert.Equal(folderId, (string?)(await account.SyncedCipherAsync(cipherId))?["folderId"]);

        (await client.SendEmptyAsync(HttpMethod.Put, $"/api/ciphers/{cipherId}/delete")).Dispose();
        Assert.NotNull((await account.SyncedCipherAsync(cipherId))?["deletedDate"]);

        (await client.SendEmptyAsync(HttpMethod.Put, $"/api/ciphers/{cipherId}/restore")).Dispose();
        Assert.Null((await account.SyncedCipherAsync(cipherId))?["deletedDate"]);

        (await client.DeleteAsync($"/api/folders/{folderId}")).Dispose();
        var afterFolderDelete = await account.SyncAsync();
        Assert.Null(afterFolderDelete.RequireArray("folders").ById(folderId));
        Assert.Null(afterFolderDelete.RequireArray("ciphers").ById(cipherId)?["folderId"]);

        (await client.DeleteAsync($"/api/ciphers/{cipherId}")).Dispose();
        Assert.Null(await account.SyncedCipherAsync(cipherId));

        var keyId = Fake.UserKeyId();
        (await client.PostJsonAsync("/api/accounts/key-management/user-key-id", new JsonObject { ["userKeyId"] = keyId })).Dispose();
        Assert.Equal(keyId, (string?)(await account.SyncAsync())["userDecryption"]?["userKeyId"]);

        (await client.PostJsonAsync("/api/ciphers/import", new JsonObject
        {
            ["ciphers"] = new JsonArray(Payloads.LoginCipher()),
            ["folders"] = new JsonArray(),
            ["folderRelationships"] = new JsonArray(),
        })).Dispose();
        Assert.Single((await account.SyncAsync()).RequireArray("ciphers"));
    }

    [Fact]
    public async Task Sync_AfterConcurrentCreates_ListsEveryItem()
    {
        var account = await TestAccount.CreateAsync(factory);

        var work = Enumerable.Range(0, 16).Select(async i =>
        {
            if (i % 2 == 0)
            {
                await account.SyncAsync();
            }

            return (await account.CreateCipherAsync()).RequireString("id");
        });
        var ids = await Task.WhenAll(work);

        var synced = (await account.SyncAsync()).RequireArray("ciphers").Select(c => c.RequireString("id")).Order();
        Assert.Equal(ids.Order(), synced);
    }
}
