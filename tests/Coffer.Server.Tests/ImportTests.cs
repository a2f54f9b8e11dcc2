using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>§4.14: <c>POST /api/ciphers/import</c> as <c>bw import</c> sends it.</summary>
public sealed class ImportTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task Import_CreatesCiphersFoldersAndRelationships()
    {
        var account = await TestAccount.CreateAsync(factory);
        var ciphers = new[] { Payloads.LoginCipher(), Payloads.Cipher(2), Payloads.LoginCipher() };
        var folder = Payloads.Folder();
        var body = new JsonObject
        {
            ["ciphers"] = new JsonArray([.. ciphers]),
            ["folders"] = new JsonArray(folder),
            ["folderRelationships"] = new JsonArray(
                new JsonObject { ["key"] = 0, ["value"] = 0 },
                new JsonObject { ["key"] = 2, ["value"] = 0 }),
        };

        using var response = await account.Client.PostJsonAsync("/api/ciphers/import", body);

        await response.ExpectSuccessAsync();
        var sync = await account.SyncAsync();
        var importedFolder = Assert.Single(sync.RequireArray("folders"));
        Assert.Equal((string?)folder["name"], (string?)importedFolder?["name"]);
        var folderId = importedFolder.RequireString("id");
        var synced = sync.RequireArray("ciphers").OfType<JsonObject>().ToList();
        Assert.Equal(3, synced.Count);
        string? FolderOf(JsonObject sent) => (string?)synced.Single(c => (string?)c["name"] == (string?)sent["name"])["folderId"];
        Assert.Equal(folderId, FolderOf(ciphers[0]));
        Assert.Null(FolderOf(ciphers[1]));
        Assert.Equal(folderId, FolderOf(ciphers[2]));
        foreach (var cipher in synced)
        {
            CipherAssert.IsEditableDetails(cipher, factory.Clock);
        }
    }

    [Fact]
    public async Task Import_IgnoresLastKnownRevisionDate()
    {
        var account = await TestAccount.CreateAsync(factory);
        var cipher = Payloads.LoginCipher();
        cipher["lastKnownRevisionDate"] = "2001-01-01T00:00:00.000Z";

        using var response = await account.Client.PostJsonAsync("/api/ciphers/import", Import(cipher));

        await response.ExpectSuccessAsync();
        Assert.Single((await account.SyncAsync()).RequireArray("ciphers"));
    }

    [Theory]
    [InlineData("invalid cipher name")]
    [InlineData("unknown cipher type")]
    [InlineData("invalid folder name")]
    [InlineData("relationship to a missing folder")]
    [InlineData("relationship from a missing cipher")]
    [InlineData("cipher encrypted for someone else")]
    public async Task Import_WithOneInvalidEntry_Returns400AndImportsNothing(string defect)
    {
        var account = await TestAccount.CreateAsync(factory);
        var body = Import(Payloads.LoginCipher(), Payloads.LoginCipher());
        body["folders"] = new JsonArray(Payloads.Folder());
        body["folderRelationships"] = new JsonArray(new JsonObject { ["key"] = 0, ["value"] = 0 });
        switch (defect)
        {
            case "invalid cipher name":
                body["ciphers"]![1]!["name"] = "plain";
                break;
            case "unknown cipher type":
                body["ciphers"]![1]!["type"] = 42;
                break;
            case "invalid folder name":
                body["folders"]![0]!["name"] = "plain";
                break;
            case "relationship to a missing folder":
                body["folderRelationships"]![0]!["value"] = 5;
                break;
            case "relationship from a missing cipher":
                body["folderRelationships"]![0]!["key"] = 7;
                break;
            case "cipher encrypted for someone else":
                body["ciphers"]![1]!["encryptedFor"] = Guid.NewGuid().ToString();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(defect), defect, null);
        }

        var revision = await account.RevisionDateAsync();
        using var response = await account.Client.PostJsonAsync("/api/ciphers/import", body);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        var sync = await account.SyncAsync();
        Assert.Empty(sync.RequireArray("ciphers"));
        Assert.Empty(sync.RequireArray("folders"));
        Assert.Equal(revision, await account.RevisionDateAsync());
    }

    [Fact]
    public async Task Import_LargerThanTheNormalLimit_IsAccepted()
    {
        var account = await TestAccount.CreateAsync(factory);
        // About 2 MiB: above the 1 MiB limit of ordinary routes, well below the import limit.
        var ciphers = Enumerable.Range(0, 2_000).Select(_ => Payloads.LoginCipher()).ToArray();
        var body = Import(ciphers);
        Assert.InRange(body.ToJsonString().Length, 1_100_000, 30_000_000);

        using var response = await account.Client.PostJsonAsync("/api/ciphers/import", body);

        await response.ExpectSuccessAsync();
        Assert.Equal(2_000, (await account.SyncAsync()).RequireArray("ciphers").Count);
    }

    [Fact]
    public async Task Import_OverTheImportLimit_Returns413()
    {
        var account = await TestAccount.CreateAsync(factory);
        var padding = new string('A', 33 * 1024 * 1024);
        var json = $"{{\"ciphers\":[],\"folders\":[],\"folderRelationships\":[],\"padding\":\"{padding}\"}}";

        using var response = await account.Client.SendRawAsync(HttpMethod.Post, "/api/ciphers/import", json);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty((await account.SyncAsync()).RequireArray("ciphers"));
    }

    [Fact]
    public async Task Import_WithAnotherUsersFolderId_DoesNotTouchThatFolder()
    {
        var account = await TestAccount.CreateAsync(factory);
        var other = await TestAccount.CreateAsync(factory);
        var foreignFolder = await other.CreateFolderAsync();
        var body = Import(Payloads.LoginCipher());
        body["folders"] = new JsonArray(new JsonObject { ["id"] = foreignFolder["id"]?.DeepClone(), ["name"] = Fake.EncString() });
        body["folderRelationships"] = new JsonArray(new JsonObject { ["key"] = 0, ["value"] = 0 });

        using var response = await account.Client.PostJsonAsync("/api/ciphers/import", body);

        Assert.True((int)response.StatusCode < 500, $"server error {(int)response.StatusCode}");
        Assert.True(JsonNode.DeepEquals(foreignFolder, await other.SyncedFolderAsync(foreignFolder.RequireString("id"))));
        Assert.Empty((await other.SyncAsync()).RequireArray("ciphers"));
        foreach (var cipher in (await account.SyncAsync()).RequireArray("ciphers"))
        {
            Assert.NotEqual((string?)foreignFolder["id"], (string?)cipher?["folderId"]);
        }
    }

    private static JsonObject Import(params JsonObject[] ciphers) => new()
    {
        ["ciphers"] = new JsonArray([.. ciphers]),
        ["folders"] = new JsonArray(),
        ["folderRelationships"] = new JsonArray(),
    };
}
