using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>§4.9: folders.</summary>
public sealed class FolderTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task PostFolder_ReturnsFolderJson()
    {
        var account = await TestAccount.CreateAsync(factory);
        var name = Fake.EncString();

        using var response = await account.Client.PostJsonAsync("/api/folders", Payloads.Folder(name));
        var folder = await response.ExpectObjectAsync();

        Assert.True(Guid.TryParse(folder.RequireString("id"), out _));
        Assert.Equal(folder.RequireString("id").ToLowerInvariant(), folder.RequireString("id"));
        Assert.Equal(name, (string?)folder["name"]);
        Assert.Equal("folder", (string?)folder["object"]);
        var revised = folder.RequireUtcDate("revisionDate");
        Assert.InRange(revised, factory.Clock.GetUtcNow().AddMinutes(-1), factory.Clock.GetUtcNow().AddMinutes(1));
    }

    [Fact]
    public async Task PutFolder_RenamesIt()
    {
        var account = await TestAccount.CreateAsync(factory);
        var folder = await account.CreateFolderAsync();
        var id = folder.RequireString("id");
        var newName = Fake.EncString();

        using var response = await account.Client.PutJsonAsync($"/api/folders/{id}", Payloads.Folder(newName));
        var renamed = await response.ExpectObjectAsync();

        Assert.Equal(id, (string?)renamed["id"]);
        Assert.Equal(newName, (string?)renamed["name"]);
        Assert.True(renamed.RequireUtcDate("revisionDate") >= folder.RequireUtcDate("revisionDate"));
        Assert.Equal(newName, (string?)(await account.SyncedFolderAsync(id))?["name"]);
    }

    [Fact]
    public async Task GetFolders_ListsOwnFolders()
    {
        var account = await TestAccount.CreateAsync(factory);
        var one = await account.CreateFolderAsync();
        var two = await account.CreateFolderAsync();

        using var response = await account.Client.GetAsync("/api/folders");
        var list = await response.ExpectObjectAsync();

        Assert.Equal("list", (string?)list["object"]);
        Assert.True(list.ContainsKey("continuationToken"));
        var ids = list.RequireArray("data").Select(f => (string?)f?["id"]).Order().ToList();
        Assert.Equal(new[] { (string?)one["id"], (string?)two["id"] }.Order(), ids);
    }

    [Fact]
    public async Task GetFolder_ById_ReturnsIt()
    {
        var account = await TestAccount.CreateAsync(factory);
        var folder = await account.CreateFolderAsync();

        using var response = await account.Client.GetAsync($"/api/folders/{folder["id"]}");

        Assert.True(JsonNode.DeepEquals(folder, await response.ExpectObjectAsync()));
    }

    [Fact]
    public async Task DeleteFolder_RemovesIt_AndItsItemsStayWithoutFolder()
    {
        var account = await TestAccount.CreateAsync(factory);
        var folderId = (await account.CreateFolderAsync()).RequireString("id");
        var cipherId = (await account.CreateCipherAsync(Payloads.LoginCipher(folderId))).RequireString("id");

        using var response = await account.Client.DeleteAsync($"/api/folders/{folderId}");

        await response.ExpectSuccessAsync();
        var sync = await account.SyncAsync();
        Assert.Null(sync.RequireArray("folders").ById(folderId));
        var cipher = sync.RequireArray("ciphers").ById(cipherId);
        Assert.NotNull(cipher);
        Assert.True(cipher.ContainsKey("folderId"));
        Assert.Null(cipher["folderId"]);
        using var get = await account.Client.GetAsync($"/api/folders/{folderId}");
        await get.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("{\"name\":\"plain text name\"}")]
    [InlineData("{\"name\":\"\"}")]
    [InlineData("{\"name\":null}")]
    [InlineData("{}")]
    [InlineData("{\"name\":42}")]
    [InlineData("{\"name\":\"2.abc\"}")]
    [InlineData("{\"name\":\"2.!!!|???|***\"}")]
    [InlineData("[]")]
    public async Task PostFolder_InvalidName_Returns400AndCreatesNothing(string body)
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await account.Client.SendRawAsync(HttpMethod.Post, "/api/folders", body);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Empty((await account.SyncAsync()).RequireArray("folders"));
    }

    [Fact]
    public async Task PutFolder_InvalidName_Returns400AndKeepsTheName()
    {
        var account = await TestAccount.CreateAsync(factory);
        var folder = await account.CreateFolderAsync();

        using var response = await account.Client.PutJsonAsync($"/api/folders/{folder["id"]}", Payloads.Folder("plain"));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal((string?)folder["name"], (string?)(await account.SyncedFolderAsync(folder.RequireString("id")))?["name"]);
    }

    [Fact]
    public async Task PutFolder_OfAnotherUser_Returns404()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var intruder = await TestAccount.CreateAsync(factory);
        var folder = await owner.CreateFolderAsync();

        using var response = await intruder.Client.PutJsonAsync($"/api/folders/{folder["id"]}", Payloads.Folder());

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        Assert.True(JsonNode.DeepEquals(folder, await owner.SyncedFolderAsync(folder.RequireString("id"))));
        Assert.Empty((await intruder.SyncAsync()).RequireArray("folders"));
    }

    [Fact]
    public async Task DeleteFolder_OfAnotherUser_Returns404()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var intruder = await TestAccount.CreateAsync(factory);
        var folder = await owner.CreateFolderAsync();

        using var response = await intruder.Client.DeleteAsync($"/api/folders/{folder["id"]}");

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        Assert.NotNull(await owner.SyncedFolderAsync(folder.RequireString("id")));
    }

    [Fact]
    public async Task GetFolder_OfAnotherUser_Returns404()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var intruder = await TestAccount.CreateAsync(factory);
        var folder = await owner.CreateFolderAsync();

        using var response = await intruder.Client.GetAsync($"/api/folders/{folder["id"]}");

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("GET")]
    public async Task Folder_UnknownId_Returns404(string method)
    {
        var account = await TestAccount.CreateAsync(factory);

        var url = $"/api/folders/{Guid.NewGuid()}";
        using var response = method == "PUT"
            ? await account.Client.PutJsonAsync(url, Payloads.Folder())
            : await account.Client.SendEmptyAsync(new HttpMethod(method), url);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
    }
}
