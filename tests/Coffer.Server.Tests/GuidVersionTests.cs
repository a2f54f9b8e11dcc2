using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>
/// Ids handed to clients are version 4 GUIDs: official clients still in use (the web vault of 2024, pinned desktop
/// apps) check ids against a pattern that accepts only versions 1–5 and refuse to log in otherwise.
/// </summary>
public sealed partial class GuidVersionTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    // The web vault's own check (libs/common guid utils): variant 10xx, version 1–5.
    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", RegexOptions.IgnoreCase)]
    private static partial Regex StrictGuid();

    [Fact]
    public async Task SyncResponse_EveryId_PassesTheStrictVersion1To5Pattern()
    {
        var account = await TestAccount.CreateAsync(factory);
        var folderId = (await account.CreateFolderAsync()).RequireString("id");
        for (var type = 1; type <= 5; type++)
        {
            var cipher = Payloads.Cipher(type);
            cipher["folderId"] = folderId;
            await account.CreateCipherAsync(cipher);
        }

        using (var import = await account.Client.PostJsonAsync("/api/ciphers/import", new JsonObject
        {
            ["ciphers"] = new JsonArray(Payloads.LoginCipher(), Payloads.Cipher(2)),
            ["folders"] = new JsonArray(Payloads.Folder()),
            ["folderRelationships"] = new JsonArray(new JsonObject { ["key"] = 0, ["value"] = 0 }),
        }))
        {
            await import.ExpectSuccessAsync();
        }

        var sync = await account.SyncAsync();

        var ids = GuidStrings(sync).ToList();
        Assert.All(ids, id => Assert.Matches(StrictGuid(), id));
        Assert.Equal(2, sync.RequireArray("folders").Count);
        Assert.Equal(7, sync.RequireArray("ciphers").Count);
        // The profile, two folders, seven ciphers and the folder ids the ciphers point at, at the least.
        Assert.True(ids.Count >= 1 + 2 + 7 + 6, $"only {ids.Count} ids in the sync response");
        Assert.Contains(account.UserId, ids, StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AccessToken_UserAndDeviceIds_PassTheStrictVersion1To5Pattern()
    {
        var account = await TestAccount.CreateAsync(factory);

        var claims = Jwt.Decode(account.AccessToken).Payload;

        Assert.Matches(StrictGuid(), claims.RequireString("sub"));
        Assert.Matches(StrictGuid(), claims.RequireString("device"));
    }

    // Every string in the document that is a GUID, wherever it sits (ids, folder ids, user ids, organization ids).
    private static IEnumerable<string> GuidStrings(JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(p => GuidStrings(p.Value)),
        JsonArray array => array.SelectMany(GuidStrings),
        JsonValue value when value.TryGetValue<string>(out var text) && Guid.TryParseExact(text, "D", out _) => [text],
        _ => [],
    };
}
