using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Attachments;

/// <summary><c>bitwarden-sharing-features.md</c> §2.2–§2.8, §2.11: the attachment flow as <c>bw</c> drives it.</summary>
public sealed class AttachmentTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task V2Slot_AnswersDirectUploadAndTheItemWithTheNewAttachment()
    {
        var account = await TestAccount.CreateAsync(factory);
        var cipher = await account.CreateCipherAsync();
        var id = cipher.RequireString("id");
        var request = FileApi.SlotRequest(81, lastKnownRevisionDate: cipher.RequireString("revisionDate"));

        using var response = await account.Client.PostJsonAsync($"/api/ciphers/{id}/attachment/v2", request);
        var slot = await response.ExpectObjectAsync();

        Assert.Equal("attachment-fileUpload", slot.RequireString("object"));
        Assert.Equal(0, (int?)slot["fileUploadType"]);
        var attachmentId = slot.RequireString("attachmentId");
        Assert.Matches("^[a-z0-9]{32}$", attachmentId);
        Assert.Equal($"/ciphers/{id}/attachment/{attachmentId}", slot.RequireString("url"));
        Assert.Null(slot["cipherMiniResponse"]);
        var item = slot["cipherResponse"]!.AsObject();
        Assert.True(item.RequireUtcDate("revisionDate") > cipher.RequireUtcDate("revisionDate"));
        var entry = item.RequireArray("attachments").ById(attachmentId)!;
        Assert.Equal((string?)request["fileName"], entry.RequireString("fileName"));
        Assert.Equal((string?)request["key"], entry.RequireString("key"));
        Assert.Equal("81", entry.RequireString("size"));
        Assert.Equal("attachment", entry.RequireString("object"));
    }

    [Fact]
    public async Task Upload_ThenDownload_ReturnsTheSameBytes_AndLeavesTheItemRevisionAlone()
    {
        var account = await TestAccount.CreateAsync(factory);
        var cipherId = (await account.CreateCipherAsync()).RequireString("id");
        var bytes = FileApi.EncryptedFile(1000);
        var slot = await account.ReserveAsync(cipherId, bytes.Length);
        var attachmentId = slot.RequireString("attachmentId");
        var revisionAfterSlot = slot["cipherResponse"].RequireString("revisionDate");
        var accountRevision = await account.RevisionDateAsync();

        using var upload = await account.UploadRequestAsync(cipherId, attachmentId, bytes);
        await upload.ExpectSuccessAsync();

        var url = await account.DownloadUrlAsync(cipherId, attachmentId);
        Assert.StartsWith($"https://localhost/attachments/{cipherId}/{attachmentId}?token=", url, StringComparison.Ordinal);
        Assert.Equal(bytes, await factory.DownloadBytesAsync(url));
        var synced = await account.SyncedCipherAsync(cipherId);
        Assert.Equal(revisionAfterSlot, synced.RequireString("revisionDate"));
        Assert.True(await account.RevisionDateAsync() > accountRevision);
        Assert.Equal(bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), synced.RequireArray("attachments").ById(attachmentId)!.RequireString("size"));
    }

    [Fact]
    public async Task CipherResponses_CarryUploadedAttachmentsWithAbsoluteUrls_SyncWithoutUrls()
    {
        var account = await TestAccount.CreateAsync(factory);
        var (cipherId, attachmentId, bytes) = await account.AddAttachmentAsync();
        var pending = (await account.ReserveAsync(cipherId, 81)).RequireString("attachmentId");

        using var get = await account.Client.GetAsync(new Uri($"/api/ciphers/{cipherId}", UriKind.Relative));
        var details = await get.ExpectObjectAsync();
        using var list = await account.Client.GetAsync(new Uri("/api/ciphers", UriKind.Relative));
        var listed = (await list.ExpectObjectAsync()).RequireArray("data").ById(cipherId)!;
        var synced = (await account.SyncedCipherAsync(cipherId))!;

        foreach (var item in new[] { details, listed })
        {
            var entry = item.RequireArray("attachments").ById(attachmentId)!;
            Assert.Equal(bytes, await factory.DownloadBytesAsync(entry.RequireString("url")));
            Assert.Null(item.RequireArray("attachments").ById(pending));
        }

        var syncedEntry = synced.RequireArray("attachments").ById(attachmentId)!;
        Assert.Null(syncedEntry["url"]);
        Assert.NotNull(syncedEntry["key"]);
        Assert.Null(synced.RequireArray("attachments").ById(pending));
    }

    [Fact]
    public async Task CipherWithoutAttachments_AnswersAttachmentsNull()
    {
        var account = await TestAccount.CreateAsync(factory);

        var cipher = await account.CreateCipherAsync();

        Assert.True(cipher.ContainsKey("attachments"));
        Assert.Null(cipher["attachments"]);
    }

    [Fact]
    public async Task Delete_AnswersTheCipherWithANewRevision_AndRemovesTheFile()
    {
        var account = await TestAccount.CreateAsync(factory);
        var (cipherId, attachmentId, _) = await account.AddAttachmentAsync();
        var before = (await account.SyncedCipherAsync(cipherId))!.RequireUtcDate("revisionDate");
        var url = await account.DownloadUrlAsync(cipherId, attachmentId);

        using var response = await account.Client.DeleteAsync(new Uri($"/api/ciphers/{cipherId}/attachment/{attachmentId}", UriKind.Relative));
        var body = await response.ExpectObjectAsync();

        var cipher = body["cipher"]!.AsObject();
        Assert.Equal(cipherId, cipher.RequireString("id"));
        Assert.True(cipher.RequireUtcDate("revisionDate") > before);
        Assert.Null(cipher["attachments"]);
        Assert.Null(await factory.StoredAttachmentAsync(cipherId, attachmentId));
        using var replay = await factory.DownloadAsync(url);
        Assert.Equal(HttpStatusCode.NotFound, replay.StatusCode);
        Assert.Null((await account.SyncedCipherAsync(cipherId))!["attachments"]);
    }

    [Theory]
    [InlineData("DELETE", "")]
    [InlineData("POST", "/delete")]
    public async Task Delete_OfASlotNeverUploaded_Succeeds_AsTheClientsRollback(string method, string suffix)
    {
        var account = await TestAccount.CreateAsync(factory);
        var cipherId = (await account.CreateCipherAsync()).RequireString("id");
        var attachmentId = (await account.ReserveAsync(cipherId, 81)).RequireString("attachmentId");

        using var response = await account.Client.SendEmptyAsync(new HttpMethod(method), $"/api/ciphers/{cipherId}/attachment/{attachmentId}{suffix}");
        var body = await response.ExpectObjectAsync();

        Assert.Equal(cipherId, body["cipher"].RequireString("id"));
        Assert.Equal(0, await factory.UsedStorageAsync(account.UserId));
    }

    [Fact]
    public async Task DeletingTheItemForGood_RemovesItsFiles_TrashKeepsThem()
    {
        var account = await TestAccount.CreateAsync(factory);
        var (cipherId, attachmentId, bytes) = await account.AddAttachmentAsync();

        using (var trash = await account.Client.SendEmptyAsync(HttpMethod.Put, $"/api/ciphers/{cipherId}/delete"))
        {
            await trash.ExpectSuccessAsync();
        }

        Assert.Equal(bytes, await factory.StoredAttachmentAsync(cipherId, attachmentId));
        using (var delete = await account.Client.SendEmptyAsync(HttpMethod.Delete, $"/api/ciphers/{cipherId}"))
        {
            await delete.ExpectSuccessAsync();
        }

        Assert.Null(await factory.StoredAttachmentAsync(cipherId, attachmentId));
        Assert.Equal(0, await factory.UsedStorageAsync(account.UserId));
    }

    [Fact]
    public async Task PutCipher_WithAttachments2_ReplacesTheNameAndKeyOfItsOwnAttachments()
    {
        var account = await TestAccount.CreateAsync(factory);
        var (cipherId, attachmentId, bytes) = await account.AddAttachmentAsync();
        var synced = (await account.SyncedCipherAsync(cipherId))!;
        var (name, key) = (Fake.EncString(), Fake.EncString());
        var edit = Payloads.LoginCipher();
        edit["lastKnownRevisionDate"] = synced.RequireString("revisionDate");
        edit["attachments"] = new JsonObject { [attachmentId] = name };
        edit["attachments2"] = new JsonObject
        {
            [attachmentId] = new JsonObject { ["fileName"] = name, ["key"] = key, ["lastKnownRevisionDate"] = synced.RequireString("revisionDate") },
            ["unknownattachmentid"] = new JsonObject { ["fileName"] = name, ["key"] = key },
        };

        using var response = await account.Client.PutJsonAsync($"/api/ciphers/{cipherId}", edit);
        var updated = await response.ExpectObjectAsync();

        var entry = updated.RequireArray("attachments").ById(attachmentId)!;
        Assert.Equal(name, entry.RequireString("fileName"));
        Assert.Equal(key, entry.RequireString("key"));
        Assert.Single(updated.RequireArray("attachments"));
        Assert.Equal(bytes, await factory.DownloadBytesAsync(entry.RequireString("url")));
        Assert.DoesNotContain("attachments2", (await account.SyncedCipherAsync(cipherId))!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DownloadUrl_WithAPublicUrl_AndAForgedHost_UsesThePublicUrl()
    {
        await using var server = new CofferFactory();
        server.Settings["Coffer:PublicUrl"] = "https://vault.example.com/";
        var account = await TestAccount.CreateAsync(server);
        var (cipherId, attachmentId, bytes) = await account.AddAttachmentAsync();

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/ciphers/{cipherId}/attachment/{attachmentId}");
        request.Headers.Host = "evil.example";
        using var response = await account.Client.SendAsync(request);
        var url = (await response.ExpectObjectAsync()).RequireString("url");

        Assert.StartsWith("https://vault.example.com/attachments/", url, StringComparison.Ordinal);
        Assert.Equal(bytes, await server.DownloadBytesAsync(url));
    }
}
