using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>§4.10–4.11 and §4.13: creating, reading and editing items.</summary>
public sealed class CipherTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task PostCipher_ReturnsCipherDetailsTheCliCanEdit()
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await account.Client.PostJsonAsync("/api/ciphers", Payloads.LoginCipher());
        var cipher = await response.ExpectObjectAsync();

        CipherAssert.IsEditableDetails(cipher, factory.Clock);
        Assert.Null(cipher["deletedDate"]);
        Assert.Equal(1, (int?)cipher["type"]);
    }

    [Fact]
    public async Task PostCipher_TypeObjectFieldsUrisAndPasswordHistory_RoundTripWithoutResponseKeys()
    {
        var account = await TestAccount.CreateAsync(factory);
        var request = Payloads.LoginCipher();

        var created = await account.CreateCipherAsync(request);

        var expected = Json.WithoutResponseKeys(request)!;
        foreach (var source in new[] { created, await GetAsync(account, created.RequireString("id")), await account.SyncedCipherAsync(created.RequireString("id")) })
        {
            Assert.NotNull(source);
            Assert.Equal((string?)expected["name"], (string?)source["name"]);
            Assert.Equal((string?)expected["notes"], (string?)source["notes"]);
            CipherAssert.ContainsAll(expected["login"], source["login"]);
            CipherAssert.ContainsAll(expected["fields"], source["fields"]);
            Assert.Equal((string?)expected["passwordHistory"]![0]!["password"], (string?)source["passwordHistory"]?[0]?["password"]);
            CipherAssert.SameInstant((string?)expected["passwordHistory"]![0]!["lastUsedDate"], (string?)source["passwordHistory"]?[0]?["lastUsedDate"]);
            Assert.DoesNotContain("\"response\"", source.ToJsonString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(1, "login")]
    [InlineData(2, "secureNote")]
    [InlineData(3, "card")]
    [InlineData(4, "identity")]
    [InlineData(5, "sshKey")]
    public async Task PostCipher_EachType_StoresItsTypeObjectAsReceived(int type, string key)
    {
        var account = await TestAccount.CreateAsync(factory);
        var request = Payloads.Cipher(type);

        var created = await account.CreateCipherAsync(request);

        Assert.Equal(type, (int?)created["type"]);
        CipherAssert.ContainsAll(request[key], created[key]);
        CipherAssert.ContainsAll(request[key], (await account.SyncedCipherAsync(created.RequireString("id")))?[key]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(9)]
    [InlineData(99)]
    [InlineData(-1)]
    public async Task PostCipher_UnknownType_Returns400AndCreatesNothing(int type)
    {
        var account = await TestAccount.CreateAsync(factory);
        var request = Payloads.LoginCipher();
        request["type"] = type;

        using var response = await account.Client.PostJsonAsync("/api/ciphers", request);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Empty((await account.SyncAsync()).RequireArray("ciphers"));
    }

    [Fact]
    public async Task PostCipher_LastKnownRevisionDate_IsIgnoredOnCreate()
    {
        var account = await TestAccount.CreateAsync(factory);
        var request = Payloads.LoginCipher();
        request["lastKnownRevisionDate"] = "2001-01-01T00:00:00.000Z";

        using var response = await account.Client.PostJsonAsync("/api/ciphers", request);

        await response.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task PostCipher_EncryptedForTheCaller_IsAccepted()
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await account.Client.PostJsonAsync("/api/ciphers", Payloads.LoginCipher(encryptedFor: account.UserId));

        await response.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task PostCipher_EncryptedForAnotherUser_Returns400()
    {
        var account = await TestAccount.CreateAsync(factory);
        var other = await TestAccount.CreateAsync(factory);

        using var response = await account.Client.PostJsonAsync("/api/ciphers", Payloads.LoginCipher(encryptedFor: other.UserId));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Empty((await account.SyncAsync()).RequireArray("ciphers"));
        Assert.Empty((await other.SyncAsync()).RequireArray("ciphers"));
    }

    [Fact]
    public async Task PutCipher_EncryptedForAnotherUser_Returns400AndKeepsTheCipher()
    {
        var account = await TestAccount.CreateAsync(factory);
        var created = await account.CreateCipherAsync();

        using var response = await account.Client.PutJsonAsync($"/api/ciphers/{created["id"]}", Payloads.LoginCipher(encryptedFor: Guid.NewGuid().ToString()));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal((string?)created["name"], (string?)(await account.SyncedCipherAsync(created.RequireString("id")))?["name"]);
    }

    [Theory]
    [InlineData("name", "plain text")]
    [InlineData("name", "")]
    [InlineData("name", null)]
    [InlineData("notes", "plain notes")]
    [InlineData("login.username", "alice")]
    [InlineData("login.password", "hunter2")]
    [InlineData("login.uris.0.uri", "https://example.com")]
    [InlineData("fields.0.value", "plain")]
    [InlineData("passwordHistory.0.password", "old password")]
    public async Task PostCipher_PlaintextWhereAnEncStringBelongs_Returns400(string path, string? value)
    {
        var account = await TestAccount.CreateAsync(factory);
        var request = Payloads.LoginCipher();
        CipherAssert.Set(request, path, value);

        using var response = await account.Client.PostJsonAsync("/api/ciphers", request);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Empty((await account.SyncAsync()).RequireArray("ciphers"));
    }

    [Fact]
    public async Task PostCipherCreate_WrappedShape_CreatesThePersonalCipher()
    {
        var account = await TestAccount.CreateAsync(factory);
        var body = new JsonObject { ["cipher"] = Payloads.LoginCipher(), ["collectionIds"] = new JsonArray() };

        using var response = await account.Client.PostJsonAsync("/api/ciphers/create", body);
        var created = await response.ExpectObjectAsync();

        CipherAssert.IsEditableDetails(created, factory.Clock);
        Assert.NotNull(await account.SyncedCipherAsync(created.RequireString("id")));
    }

    [Fact]
    public async Task PostCipher_InOwnFolder_KeepsFolderId()
    {
        var account = await TestAccount.CreateAsync(factory);
        var folderId = (await account.CreateFolderAsync()).RequireString("id");

        var created = await account.CreateCipherAsync(Payloads.LoginCipher(folderId));

        Assert.Equal(folderId, (string?)created["folderId"]);
    }

    [Fact]
    public async Task PostCipher_InAnotherUsersFolder_IsRefused()
    {
        var account = await TestAccount.CreateAsync(factory);
        var other = await TestAccount.CreateAsync(factory);
        var foreignFolder = (await other.CreateFolderAsync()).RequireString("id");

        using var response = await account.Client.PostJsonAsync("/api/ciphers", Payloads.LoginCipher(foreignFolder));

        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.NotFound });
        Assert.Empty((await account.SyncAsync()).RequireArray("ciphers"));
    }

    [Fact]
    public async Task GetCiphers_ListsOwnCiphers()
    {
        var account = await TestAccount.CreateAsync(factory);
        var other = await TestAccount.CreateAsync(factory);
        var mine = await account.CreateCipherAsync();
        await other.CreateCipherAsync();

        using var response = await account.Client.GetAsync("/api/ciphers");
        var list = await response.ExpectObjectAsync();

        Assert.Equal("list", (string?)list["object"]);
        var only = Assert.Single(list.RequireArray("data"));
        Assert.Equal((string?)mine["id"], (string?)only?["id"]);
    }

    [Fact]
    public async Task GetCipher_OfAnotherUser_Returns404()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var intruder = await TestAccount.CreateAsync(factory);
        var cipher = await owner.CreateCipherAsync();

        using var response = await intruder.Client.GetAsync($"/api/ciphers/{cipher["id"]}");

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PutCipher_ReplacesContentAndAdvancesRevisionDate()
    {
        var account = await TestAccount.CreateAsync(factory);
        var created = await account.CreateCipherAsync();
        var id = created.RequireString("id");
        var update = Payloads.LoginCipher();
        update["favorite"] = true;
        update["lastKnownRevisionDate"] = created["revisionDate"]?.DeepClone();
        await Task.Delay(15);

        using var response = await account.Client.PutJsonAsync($"/api/ciphers/{id}", update);
        var edited = await response.ExpectObjectAsync();

        CipherAssert.IsEditableDetails(edited, factory.Clock);
        Assert.Equal(id, (string?)edited["id"]);
        Assert.Equal((string?)update["name"], (string?)edited["name"]);
        Assert.Equal(true, (bool?)edited["favorite"]);
        Assert.Equal((string?)created["creationDate"], (string?)edited["creationDate"]);
        Assert.True(edited.RequireUtcDate("revisionDate") > created.RequireUtcDate("revisionDate"));
        Assert.Equal((string?)update["name"], (string?)(await account.SyncedCipherAsync(id))?["name"]);
    }

    [Fact]
    public async Task PutCipher_StaleLastKnownRevisionDate_Returns400()
    {
        var account = await TestAccount.CreateAsync(factory);
        var created = await account.CreateCipherAsync();
        var update = Payloads.LoginCipher();
        update["lastKnownRevisionDate"] = CipherAssert.Shift(created.RequireString("revisionDate"), TimeSpan.FromSeconds(-2));

        using var response = await account.Client.PutJsonAsync($"/api/ciphers/{created["id"]}", update);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal((string?)created["name"], (string?)(await account.SyncedCipherAsync(created.RequireString("id")))?["name"]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-900)]
    [InlineData(900)]
    [InlineData(null)]
    public async Task PutCipher_LastKnownRevisionDateWithinOneSecond_Succeeds(int? shiftMs)
    {
        var account = await TestAccount.CreateAsync(factory);
        var created = await account.CreateCipherAsync();
        var update = Payloads.LoginCipher();
        var stored = created.RequireString("revisionDate");
        // null: the SDK path, which sends whole seconds (the stored value truncated).
        update["lastKnownRevisionDate"] = shiftMs is { } ms
            ? CipherAssert.Shift(stored, TimeSpan.FromMilliseconds(ms))
            : CipherAssert.TruncateToSeconds(stored);

        using var response = await account.Client.PutJsonAsync($"/api/ciphers/{created["id"]}", update);

        await response.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task PutCipher_WithoutLastKnownRevisionDate_Succeeds()
    {
        var account = await TestAccount.CreateAsync(factory);
        var created = await account.CreateCipherAsync();
        var update = Payloads.LoginCipher();
        update.Remove("lastKnownRevisionDate");

        using var response = await account.Client.PutJsonAsync($"/api/ciphers/{created["id"]}", update);

        await response.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task PutCipher_OfAnotherUser_Returns404()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var intruder = await TestAccount.CreateAsync(factory);
        var cipher = await owner.CreateCipherAsync();

        using var response = await intruder.Client.PutJsonAsync($"/api/ciphers/{cipher["id"]}", Payloads.LoginCipher());

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        var stored = await owner.SyncedCipherAsync(cipher.RequireString("id"));
        Assert.Equal((string?)cipher["name"], (string?)stored?["name"]);
        Assert.Equal((string?)cipher["revisionDate"], (string?)stored?["revisionDate"]);
        Assert.Empty((await intruder.SyncAsync()).RequireArray("ciphers"));
    }

    [Fact]
    public async Task PutCipher_UnknownId_Returns404()
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await account.Client.PutJsonAsync($"/api/ciphers/{Guid.NewGuid()}", Payloads.LoginCipher());

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PutCipher_EmptyFolderId_MeansNoFolder()
    {
        var account = await TestAccount.CreateAsync(factory);
        var folderId = (await account.CreateFolderAsync()).RequireString("id");
        var created = await account.CreateCipherAsync(Payloads.LoginCipher(folderId));
        var update = Payloads.LoginCipher();
        update["folderId"] = "";

        using var response = await account.Client.PutJsonAsync($"/api/ciphers/{created["id"]}", update);

        Assert.Null((await response.ExpectObjectAsync())["folderId"]);
    }

    [Fact]
    public async Task PostCipher_WithAnotherUsersCipherIdInTheBody_CreatesANewCipher()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var intruder = await TestAccount.CreateAsync(factory);
        var foreign = await owner.CreateCipherAsync();
        var request = Payloads.LoginCipher();
        request["id"] = foreign["id"]?.DeepClone();

        using var response = await intruder.Client.PostJsonAsync("/api/ciphers", request);

        if (response.IsSuccessStatusCode)
        {
            Assert.NotEqual((string?)foreign["id"], (string?)(await response.ReadJsonAsync())?["id"]);
        }

        Assert.Equal((string?)foreign["name"], (string?)(await owner.SyncedCipherAsync(foreign.RequireString("id")))?["name"]);
    }

    [Fact]
    public async Task PutCipher_IntoAnotherUsersFolder_IsRefusedAndChangesNothing()
    {
        var account = await TestAccount.CreateAsync(factory);
        var other = await TestAccount.CreateAsync(factory);
        var foreignFolder = (await other.CreateFolderAsync()).RequireString("id");
        var created = await account.CreateCipherAsync();

        using var response = await account.Client.PutJsonAsync($"/api/ciphers/{created["id"]}", Payloads.LoginCipher(foreignFolder));

        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.NotFound });
        var stored = await account.SyncedCipherAsync(created.RequireString("id"));
        Assert.Null(stored?["folderId"]);
        Assert.Equal((string?)created["name"], (string?)stored?["name"]);
    }

    private static async Task<JsonObject> GetAsync(TestAccount account, string id)
    {
        using var response = await account.Client.GetAsync($"/api/ciphers/{id}");
        return await response.ExpectObjectAsync();
    }
}
