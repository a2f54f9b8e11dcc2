using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>§4.12–4.13: trash, restore, permanent delete, the bulk variants and move.</summary>
public sealed class CipherTrashTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task SoftDelete_PutsTheCipherInTrash()
    {
        var account = await TestAccount.CreateAsync(factory);
        var id = (await account.CreateCipherAsync()).RequireString("id");

        using var response = await account.Client.SendEmptyAsync(HttpMethod.Put, $"/api/ciphers/{id}/delete");

        await response.ExpectSuccessAsync();
        var synced = await account.SyncedCipherAsync(id);
        Assert.NotNull(synced);
        synced.RequireUtcDate("deletedDate");
    }

    [Fact]
    public async Task Restore_ReturnsFullCipherJsonWithoutDeletedDate()
    {
        var account = await TestAccount.CreateAsync(factory);
        var created = await account.CreateCipherAsync();
        var id = created.RequireString("id");
        using (var delete = await account.Client.SendEmptyAsync(HttpMethod.Put, $"/api/ciphers/{id}/delete"))
        {
            await delete.ExpectSuccessAsync();
        }

        using var response = await account.Client.SendEmptyAsync(HttpMethod.Put, $"/api/ciphers/{id}/restore");
        var restored = await response.ExpectObjectAsync();

        CipherAssert.IsEditableDetails(restored, factory.Clock);
        Assert.Equal(id, (string?)restored["id"]);
        Assert.Equal((string?)created["name"], (string?)restored["name"]);
        Assert.NotNull(restored["login"]);
        Assert.Null(restored["deletedDate"]);
        Assert.Null((await account.SyncedCipherAsync(id))?["deletedDate"]);
    }

    [Fact]
    public async Task HardDelete_RemovesTheCipherForGood()
    {
        var account = await TestAccount.CreateAsync(factory);
        var id = (await account.CreateCipherAsync()).RequireString("id");

        using var response = await account.Client.DeleteAsync($"/api/ciphers/{id}");

        await response.ExpectSuccessAsync();
        Assert.Null(await account.SyncedCipherAsync(id));
        using var get = await account.Client.GetAsync($"/api/ciphers/{id}");
        await get.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
    }

    public static TheoryData<string, string> SingleOperations => new()
    {
        { "PUT", "/api/ciphers/{0}/delete" },
        { "PUT", "/api/ciphers/{0}/restore" },
        { "DELETE", "/api/ciphers/{0}" },
    };

    [Theory]
    [MemberData(nameof(SingleOperations))]
    public async Task TrashOperation_OnAnotherUsersCipher_Returns404AndChangesNothing(string method, string route)
    {
        var owner = await TestAccount.CreateAsync(factory);
        var intruder = await TestAccount.CreateAsync(factory);
        var cipher = await owner.CreateCipherAsync();
        var id = cipher.RequireString("id");
        if (route.EndsWith("/restore", StringComparison.Ordinal))
        {
            using var trash = await owner.Client.SendEmptyAsync(HttpMethod.Put, $"/api/ciphers/{id}/delete");
            await trash.ExpectSuccessAsync();
        }

        var before = await owner.SyncedCipherAsync(id);
        using var response = await intruder.Client.SendEmptyAsync(new HttpMethod(method), string.Format(System.Globalization.CultureInfo.InvariantCulture, route, id));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        Assert.True(JsonNode.DeepEquals(before, await owner.SyncedCipherAsync(id)));
    }

    [Theory]
    [MemberData(nameof(SingleOperations))]
    public async Task TrashOperation_OnUnknownCipher_Returns404(string method, string route)
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await account.Client.SendEmptyAsync(new HttpMethod(method), string.Format(System.Globalization.CultureInfo.InvariantCulture, route, Guid.NewGuid()));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task BulkSoftDelete_TrashesEveryListedCipher()
    {
        var account = await TestAccount.CreateAsync(factory);
        var one = (await account.CreateCipherAsync()).RequireString("id");
        var two = (await account.CreateCipherAsync()).RequireString("id");
        var untouched = (await account.CreateCipherAsync()).RequireString("id");

        using var response = await account.Client.PutJsonAsync("/api/ciphers/delete", Payloads.Ids(one, two));

        await response.ExpectSuccessAsync();
        var ciphers = (await account.SyncAsync()).RequireArray("ciphers");
        Assert.NotNull(ciphers.ById(one)?["deletedDate"]);
        Assert.NotNull(ciphers.ById(two)?["deletedDate"]);
        Assert.Null(ciphers.ById(untouched)?["deletedDate"]);
    }

    [Fact]
    public async Task BulkRestore_ReturnsListOfRestoredCiphers()
    {
        var account = await TestAccount.CreateAsync(factory);
        var one = (await account.CreateCipherAsync()).RequireString("id");
        var two = (await account.CreateCipherAsync()).RequireString("id");
        using (var trash = await account.Client.PutJsonAsync("/api/ciphers/delete", Payloads.Ids(one, two)))
        {
            await trash.ExpectSuccessAsync();
        }

        using var response = await account.Client.PutJsonAsync("/api/ciphers/restore", Payloads.Ids(one, two));
        var list = await response.ExpectObjectAsync();

        Assert.Equal("list", (string?)list["object"]);
        var data = list.RequireArray("data");
        Assert.Equal(new[] { one, two }.Order(), data.Select(c => c.RequireString("id")).Order());
        foreach (var cipher in data)
        {
            CipherAssert.IsEditableDetails(Assert.IsType<JsonObject>(cipher), factory.Clock);
            Assert.Null(cipher!["deletedDate"]);
        }
    }

    [Fact]
    public async Task BulkHardDelete_RemovesEveryListedCipher()
    {
        var account = await TestAccount.CreateAsync(factory);
        var one = (await account.CreateCipherAsync()).RequireString("id");
        var two = (await account.CreateCipherAsync()).RequireString("id");
        var untouched = (await account.CreateCipherAsync()).RequireString("id");

        using var response = await account.Client.SendJsonAsync(HttpMethod.Delete, "/api/ciphers", Payloads.Ids(one, two));

        await response.ExpectSuccessAsync();
        var ciphers = (await account.SyncAsync()).RequireArray("ciphers");
        Assert.Equal([untouched], ciphers.Select(c => c.RequireString("id")));
    }

    [Theory]
    [InlineData("PUT", "/api/ciphers/delete")]
    [InlineData("DELETE", "/api/ciphers")]
    [InlineData("PUT", "/api/ciphers/restore")]
    public async Task BulkOperation_IncludingAnotherUsersCipher_Returns404AndChangesNothing(string method, string route)
    {
        var owner = await TestAccount.CreateAsync(factory);
        var intruder = await TestAccount.CreateAsync(factory);
        var foreign = (await owner.CreateCipherAsync()).RequireString("id");
        if (route.EndsWith("/restore", StringComparison.Ordinal))
        {
            using var trash = await owner.Client.SendEmptyAsync(HttpMethod.Put, $"/api/ciphers/{foreign}/delete");
            await trash.ExpectSuccessAsync();
        }

        var own = (await intruder.CreateCipherAsync()).RequireString("id");
        if (route.EndsWith("/restore", StringComparison.Ordinal))
        {
            using var trashOwn = await intruder.Client.SendEmptyAsync(HttpMethod.Put, $"/api/ciphers/{own}/delete");
            await trashOwn.ExpectSuccessAsync();
        }

        var before = await owner.SyncedCipherAsync(foreign);
        var ownBefore = await intruder.SyncedCipherAsync(own);
        using var response = await intruder.Client.SendJsonAsync(new HttpMethod(method), route, Payloads.Ids(own, foreign));

        // Other users' ids are "not found", and the request is all or nothing: the caller's own item stays as it was.
        await response.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        Assert.True(JsonNode.DeepEquals(before, await owner.SyncedCipherAsync(foreign)));
        Assert.True(JsonNode.DeepEquals(ownBefore, await intruder.SyncedCipherAsync(own)));
        Assert.DoesNotContain(before.RequireString("name"), await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Move_PutsCiphersIntoOwnFolderAndBackOut()
    {
        var account = await TestAccount.CreateAsync(factory);
        var folderId = (await account.CreateFolderAsync()).RequireString("id");
        var one = (await account.CreateCipherAsync()).RequireString("id");
        var two = (await account.CreateCipherAsync()).RequireString("id");

        using (var move = await account.Client.PutJsonAsync("/api/ciphers/move", new JsonObject { ["ids"] = new JsonArray(one, two), ["folderId"] = folderId }))
        {
            await move.ExpectSuccessAsync();
        }

        var ciphers = (await account.SyncAsync()).RequireArray("ciphers");
        Assert.Equal(folderId, (string?)ciphers.ById(one)?["folderId"]);
        Assert.Equal(folderId, (string?)ciphers.ById(two)?["folderId"]);

        using (var back = await account.Client.PutJsonAsync("/api/ciphers/move", new JsonObject { ["ids"] = new JsonArray(one), ["folderId"] = null }))
        {
            await back.ExpectSuccessAsync();
        }

        Assert.Null((await account.SyncedCipherAsync(one))?["folderId"]);
    }

    [Fact]
    public async Task Move_ToAnotherUsersFolder_Returns404AndChangesNothing()
    {
        var account = await TestAccount.CreateAsync(factory);
        var other = await TestAccount.CreateAsync(factory);
        var foreignFolder = (await other.CreateFolderAsync()).RequireString("id");
        var id = (await account.CreateCipherAsync()).RequireString("id");

        using var response = await account.Client.PutJsonAsync("/api/ciphers/move", new JsonObject { ["ids"] = new JsonArray(id), ["folderId"] = foreignFolder });

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        Assert.Null((await account.SyncedCipherAsync(id))?["folderId"]);
    }

    [Fact]
    public async Task Move_AnotherUsersCipher_Returns404AndLeavesItUntouched()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var intruder = await TestAccount.CreateAsync(factory);
        var foreign = (await owner.CreateCipherAsync()).RequireString("id");
        var intruderFolder = (await intruder.CreateFolderAsync()).RequireString("id");

        using var response = await intruder.Client.PutJsonAsync("/api/ciphers/move", new JsonObject { ["ids"] = new JsonArray(foreign), ["folderId"] = intruderFolder });

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        Assert.Null((await owner.SyncedCipherAsync(foreign))?["folderId"]);
        Assert.Empty((await intruder.SyncAsync()).RequireArray("ciphers"));
    }
}
