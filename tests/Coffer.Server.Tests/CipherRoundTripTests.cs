using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>
/// §4.10: the type object is stored as received, minus the client's <c>response</c> artefacts, so newer
/// clients' additions survive a round trip through a server that does not know them.
/// </summary>
public sealed class CipherRoundTripTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Theory]
    [InlineData(6, "bankAccount")]
    [InlineData(7, "driversLicense")]
    [InlineData(8, "passport")]
    public async Task PostCipher_NewerItemTypes_StoreTheirObjectOpaquely(int type, string key)
    {
        var account = await TestAccount.CreateAsync(factory);
        var request = Payloads.Cipher(type);
        request.Remove("login");
        request[key] = new JsonObject
        {
            ["response"] = null,
            ["holderName"] = Fake.EncString(),
            ["number"] = Fake.EncString(),
            ["nested"] = new JsonObject { ["list"] = new JsonArray(Fake.EncString(), Fake.EncString()), ["flag"] = true, ["count"] = 3 },
        };

        var created = await account.CreateCipherAsync(request);

        var expected = Json.WithoutResponseKeys(request[key]);
        Assert.True(JsonNode.DeepEquals(expected, created[key]), $"{expected?.ToJsonString()} != {created[key]?.ToJsonString()}");
        var synced = await account.SyncedCipherAsync(created.RequireString("id"));
        Assert.True(JsonNode.DeepEquals(expected, synced?[key]));
    }

    [Fact]
    public async Task PostCipher_UnknownKeysInsideTheTypeObject_RoundTrip()
    {
        var account = await TestAccount.CreateAsync(factory);
        var request = Payloads.LoginCipher();
        var login = request["login"]!.AsObject();
        login["futureField"] = Fake.EncString();
        login["futureObject"] = new JsonObject { ["a"] = 1, ["b"] = new JsonArray("x", null, false) };
        login["uris"]![0]!["futureUriFlag"] = 2;
        request["fields"]![0]!["futureFieldFlag"] = "2.x";

        var created = await account.CreateCipherAsync(request);
        var synced = await account.SyncedCipherAsync(created.RequireString("id"));

        foreach (var source in new[] { created, synced })
        {
            Assert.Equal((string?)login["futureField"], (string?)source?["login"]?["futureField"]);
            Assert.True(JsonNode.DeepEquals(login["futureObject"], source?["login"]?["futureObject"]));
            Assert.Equal(2, (int?)source?["login"]?["uris"]?[0]?["futureUriFlag"]);
            Assert.Equal("2.x", (string?)source?["fields"]?[0]?["futureFieldFlag"]);
        }
    }

    [Fact]
    public async Task PostCipher_Fido2Credentials_RoundTrip()
    {
        var account = await TestAccount.CreateAsync(factory);
        var request = Payloads.LoginCipher();
        var credential = new JsonObject
        {
            ["credentialId"] = Fake.EncString(),
            ["keyType"] = Fake.EncString(),
            ["keyAlgorithm"] = Fake.EncString(),
            ["keyCurve"] = Fake.EncString(),
            ["keyValue"] = Fake.EncString(),
            ["rpId"] = Fake.EncString(),
            ["userHandle"] = Fake.EncString(),
            ["userName"] = Fake.EncString(),
            ["counter"] = Fake.EncString(),
            ["rpName"] = Fake.EncString(),
            ["userDisplayName"] = Fake.EncString(),
            ["discoverable"] = Fake.EncString(),
            ["creationDate"] = "2026-03-04T05:06:07.089Z",
        };
        request["login"]!["fido2Credentials"] = new JsonArray(credential);

        var created = await account.CreateCipherAsync(request);

        Assert.True(JsonNode.DeepEquals(new JsonArray(credential.DeepClone()), created["login"]?["fido2Credentials"]), created["login"]?["fido2Credentials"]?.ToJsonString());
    }

    [Fact]
    public async Task PutCipher_ReplacesTheWholeTypeObject()
    {
        var account = await TestAccount.CreateAsync(factory);
        var request = Payloads.LoginCipher();
        request["login"]!["futureField"] = Fake.EncString();
        var created = await account.CreateCipherAsync(request);
        var update = Payloads.LoginCipher();
        update["fields"] = new JsonArray();
        update.Remove("passwordHistory");

        using var response = await account.Client.PutJsonAsync($"/api/ciphers/{created["id"]}", update);
        var edited = await response.ExpectObjectAsync();

        Assert.Null(edited["login"]?["futureField"]);
        Assert.Equal((string?)update["login"]?["username"], (string?)edited["login"]?["username"]);
        Assert.True(edited["fields"] is null || edited["fields"]!.AsArray().Count == 0);
        Assert.True(edited["passwordHistory"] is null || edited["passwordHistory"]!.AsArray().Count == 0);
    }

    [Fact]
    public async Task PostCipher_PerItemKeyAndFlags_RoundTrip()
    {
        // With cipher-key encryption on, the client adds a per-item key (§4.10).
        var account = await TestAccount.CreateAsync(factory);
        var request = Payloads.LoginCipher();
        request["key"] = Fake.EncString();
        request["reprompt"] = 1;
        request["favorite"] = true;

        var created = await account.CreateCipherAsync(request);
        var synced = await account.SyncedCipherAsync(created.RequireString("id"));

        foreach (var source in new[] { created, synced })
        {
            Assert.Equal((string?)request["key"], (string?)source?["key"]);
            Assert.Equal(1, (int?)source?["reprompt"]);
            Assert.Equal(true, (bool?)source?["favorite"]);
        }
    }

    [Fact]
    public async Task Ids_InAnyCase_AreAcceptedAndAnsweredInCanonicalLowercase()
    {
        // The CLI compares ids as strings (folderId against folder id), so the server keeps one canonical form (§6).
        var account = await TestAccount.CreateAsync(factory);
        var folderId = (await account.CreateFolderAsync()).RequireString("id");
        var created = await account.CreateCipherAsync(Payloads.LoginCipher(folderId.ToUpperInvariant()));
        var id = created.RequireString("id");

        using var response = await account.Client.GetAsync($"/api/ciphers/{id.ToUpperInvariant()}");
        var fetched = await response.ExpectObjectAsync();

        Assert.Equal(folderId, (string?)created["folderId"]);
        Assert.Equal(id, (string?)fetched["id"]);
        Assert.Equal(id.ToLowerInvariant(), id);
        Assert.Equal(folderId, (string?)fetched["folderId"]);
    }
}
