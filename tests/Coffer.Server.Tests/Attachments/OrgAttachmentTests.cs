using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Files;
using Coffer.Server.Tests.Infrastructure;
using Coffer.Server.Tests.Organizations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Attachments;

/// <summary>
/// Organization items carry attachments under the item's access rules (<c>bitwarden-sharing-features.md</c> §2.10,
/// §2.11): collections decide who reads and who changes, the organization's quota counts, events 1103 and 1104.
/// </summary>
public sealed class OrgAttachmentTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task OrgItem_EditorAddsAndDeletes_MembersReadIt_EventsAre1103And1104()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var collection = organization.FirstCollectionId!.Value;
        var (reader, _) = await organization.AddMemberAsync(collections: [OrgHarness.Access(collection, readOnly: true)]);
        var (editor, _) = await organization.AddMemberAsync(collections: [OrgHarness.Access(collection)]);
        var itemId = (await organization.Owner.CreateItemAsync(organization.Id, collection)).RequireString("id");
        var readerRevision = await reader.RevisionDateAsync();

        var (_, attachmentId, bytes) = await editor.AddAttachmentAsync(itemId);

        Assert.True(await reader.RevisionDateAsync() > readerRevision);
        Assert.Equal(bytes, await factory.DownloadBytesAsync(await reader.DownloadUrlAsync(itemId, attachmentId)));
        Assert.NotNull((await reader.SyncedCipherAsync(itemId)).RequireArray("attachments").ById(attachmentId));
        using (var delete = await editor.Client.DeleteAsync(new Uri($"/api/ciphers/{itemId}/attachment/{attachmentId}", UriKind.Relative)))
        {
            await delete.ExpectSuccessAsync();
        }

        Assert.Equal([(int)EventType.CipherAttachmentCreated, (int)EventType.CipherAttachmentDeleted], await EventTypesAsync(itemId, 1103, 1104));
    }

    [Fact]
    public async Task A11_ReadOnlyMember_CannotAddOrDelete_EvenInTheTrash_Returns400()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var collection = organization.FirstCollectionId!.Value;
        var (reader, _) = await organization.AddMemberAsync(collections: [OrgHarness.Access(collection, readOnly: true)]);
        var itemId = (await organization.Owner.CreateItemAsync(organization.Id, collection)).RequireString("id");
        var (_, attachmentId, bytes) = await organization.Owner.AddAttachmentAsync(itemId);
        using (var trash = await organization.Owner.Client.SendEmptyAsync(HttpMethod.Put, $"/api/ciphers/{itemId}/delete"))
        {
            await trash.ExpectSuccessAsync();
        }

        using var delete = await reader.Client.DeleteAsync(new Uri($"/api/ciphers/{itemId}/attachment/{attachmentId}", UriKind.Relative));
        using var deleteAlias = await reader.Client.SendEmptyAsync(HttpMethod.Post, $"/api/ciphers/{itemId}/attachment/{attachmentId}/delete");
        using var slot = await reader.ReserveRequestAsync(itemId, 81);

        await delete.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        await deleteAlias.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        await slot.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal(bytes, await factory.StoredAttachmentAsync(itemId, attachmentId));
    }

    [Fact]
    public async Task DownloadUrl_OfAMemberRemovedSince_Returns404()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var collection = organization.FirstCollectionId!.Value;
        var (member, memberId) = await organization.AddMemberAsync(collections: [OrgHarness.Access(collection, readOnly: true)]);
        var itemId = (await organization.Owner.CreateItemAsync(organization.Id, collection)).RequireString("id");
        var (_, attachmentId, _) = await organization.Owner.AddAttachmentAsync(itemId);
        var url = await member.DownloadUrlAsync(itemId, attachmentId);

        using (var remove = await organization.Owner.Client.DeleteAsync(new Uri(organization.Url($"/users/{memberId}"), UriKind.Relative)))
        {
            await remove.ExpectSuccessAsync();
        }

        using var response = await factory.DownloadAsync(url);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task OutsiderAndAdminRoutes_FollowTheAdminRule()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (outsider, _) = await organization.AddMemberAsync();
        // An item in no collection: only members who edit any collection (the owner) reach it, through the admin routes.
        var itemId = (await organization.Owner.CreateItemAsync(organization.Id)).RequireString("id");
        using var slot = await organization.Owner.Client.PostJsonAsync($"/api/ciphers/{itemId}/attachment/v2", FileApi.SlotRequest(81, adminRequest: true));
        var answer = await slot.ExpectObjectAsync();
        var attachmentId = answer.RequireString("attachmentId");

        Assert.Null(answer["cipherResponse"]);
        Assert.NotNull(answer["cipherMiniResponse"].RequireArray("attachments").ById(attachmentId));
        using var outsiderGet = await outsider.Client.GetAsync(new Uri($"/api/ciphers/{itemId}/attachment/{attachmentId}/admin", UriKind.Relative));
        await outsiderGet.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        using var outsiderDelete = await outsider.Client.SendEmptyAsync(HttpMethod.Post, $"/api/ciphers/{itemId}/attachment/{attachmentId}/delete-admin");
        await outsiderDelete.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        using var adminDelete = await organization.Owner.Client.SendEmptyAsync(HttpMethod.Delete, $"/api/ciphers/{itemId}/attachment/{attachmentId}/admin");
        Assert.Equal(itemId, (await adminDelete.ExpectObjectAsync())["cipher"].RequireString("id"));
    }

    [Fact]
    public async Task OrganizationQuota_CountsItsItems_NotTheMembersAccounts()
    {
        await using var server = new CofferFactory();
        server.Settings["Coffer:Files:OrganizationQuotaBytes"] = "4096";
        var organization = await OrgHarness.CreateAsync(server);
        var collection = organization.FirstCollectionId!.Value;
        var itemId = (await organization.Owner.CreateItemAsync(organization.Id, collection)).RequireString("id");
        await organization.Owner.AddAttachmentAsync(itemId, 3000);

        using var refused = await organization.Owner.ReserveRequestAsync(itemId, 2000);
        await refused.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        await organization.Owner.AddAttachmentAsync(plaintextLength: 3000);

        Assert.Equal(3000 + 49 + 8, await server.UsedStorageAsync(organization.Owner.UserId));
        using var scope = server.Services.CreateScope();
        Assert.Equal(3000 + 49 + 8, await scope.ServiceProvider.GetRequiredService<StorageQuota>().UsedByOrganizationAsync(organization.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Share_MovesTheFilesIntoTheOrganization_WithTheRewrappedKeys()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var owner = organization.Owner;
        var (cipherId, attachmentId, bytes) = await owner.AddAttachmentAsync();
        var (name, key) = (Fake.EncString(), Fake.EncString());
        var body = new JsonObject
        {
            ["cipher"] = OrgItems.Item(organization.Id, owner),
            ["collectionIds"] = OrgItems.Ids(organization.FirstCollectionId!.Value),
        };
        body["cipher"]!["attachments2"] = new JsonObject { [attachmentId] = new JsonObject { ["fileName"] = name, ["key"] = key } };

        using var response = await owner.Client.PutJsonAsync($"/api/ciphers/{cipherId}/share", body);
        var shared = await response.ExpectObjectAsync();

        var entry = shared.RequireArray("attachments").ById(attachmentId)!;
        Assert.Equal(name, entry.RequireString("fileName"));
        Assert.Equal(key, entry.RequireString("key"));
        Assert.Equal(bytes, await factory.DownloadBytesAsync(entry.RequireString("url")));
        Assert.Equal(0, await factory.UsedStorageAsync(owner.UserId));
    }

    [Fact]
    public async Task Clone_NamingAttachmentsOfAReadableItem_CopiesThemToTheNewItem()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var collection = organization.FirstCollectionId!.Value;
        var (member, _) = await organization.AddMemberAsync(collections: [OrgHarness.Access(collection, readOnly: true)]);
        var itemId = (await organization.Owner.CreateItemAsync(organization.Id, collection)).RequireString("id");
        var (_, attachmentId, bytes) = await organization.Owner.AddAttachmentAsync(itemId);
        var (name, key) = (Fake.EncString(), Fake.EncString());
        var clone = Payloads.LoginCipher();
        clone["attachments2"] = new JsonObject { [attachmentId] = new JsonObject { ["fileName"] = name, ["key"] = key } };

        using var response = await member.Client.PostJsonAsync("/api/ciphers", clone);
        var created = await response.ExpectObjectAsync();

        var copy = Assert.Single(created.RequireArray("attachments"))!.AsObject();
        Assert.NotEqual(attachmentId, copy.RequireString("id"));
        Assert.Equal(name, copy.RequireString("fileName"));
        Assert.Equal(key, copy.RequireString("key"));
        Assert.Equal(bytes, await factory.DownloadBytesAsync(copy.RequireString("url")));
        Assert.Equal(bytes.Length, await factory.UsedStorageAsync(member.UserId));
        using (var delete = await member.Client.SendEmptyAsync(HttpMethod.Delete, $"/api/ciphers/{created.RequireString("id")}"))
        {
            await delete.ExpectSuccessAsync();
        }

        Assert.Equal(bytes, await factory.DownloadBytesAsync(await member.DownloadUrlAsync(itemId, attachmentId)));
    }

    [Fact]
    public async Task ShareRoute_ReplacesAKeylessAttachmentsFileKeyAndName_ThenTheShareMovesTheItem()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var owner = organization.Owner;
        var outsider = await TestAccount.CreateAsync(factory);
        var cipherId = (await owner.CreateCipherAsync()).RequireString("id");
        var legacyId = await AddKeylessAttachmentAsync(cipherId);
        var (name, key, bytes) = (Fake.EncString(), Fake.EncString(), FileApi.EncryptedFile(300));
        var url = $"/api/ciphers/{cipherId}/attachment/{legacyId}/share?organizationId={organization.Id}";

        using var byOutsider = await outsider.Client.PostAsync(new Uri(url, UriKind.Relative), LegacyBody(key, name, bytes));
        using var otherOrganization = await owner.Client.PostAsync(new Uri($"/api/ciphers/{cipherId}/attachment/{legacyId}/share?organizationId={Guid.NewGuid()}", UriKind.Relative),
            LegacyBody(key, name, bytes));
        using var response = await owner.Client.PostAsync(new Uri(url, UriKind.Relative), LegacyBody(key, name, bytes));
        await response.ExpectSuccessAsync();
        using var share = await owner.ShareRequestAsync(cipherId, organization.Id, organization.FirstCollectionId!.Value);
        var shared = await share.ExpectObjectAsync();

        await byOutsider.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        await otherOrganization.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        var entry = shared.RequireArray("attachments").ById(legacyId)!;
        Assert.Equal(name, entry.RequireString("fileName"));
        Assert.Equal(key, entry.RequireString("key"));
        Assert.Equal(bytes, await factory.DownloadBytesAsync(entry.RequireString("url")));
        using var scope = factory.Services.CreateScope();
        Assert.Equal(bytes.Length, await scope.ServiceProvider.GetRequiredService<StorageQuota>().UsedByOrganizationAsync(organization.Id, CancellationToken.None));
    }

    /// <summary>The legacy multipart body (§2.4): a <c>key</c> part and a <c>data</c> part named by the encrypted file name.</summary>
    private static MultipartFormDataContent LegacyBody(string key, string fileName, byte[] bytes)
    {
        var content = new MultipartFormDataContent { { new StringContent(key), "key" } };
        content.Add(new ByteArrayContent(bytes), "data", fileName);
        return content;
    }

    /// <summary>An attachment from before per-attachment keys (<c>key</c> null), which no current client creates, stored directly.</summary>
    private async Task<string> AddKeylessAttachmentAsync(string cipherId)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
        var store = scope.ServiceProvider.GetRequiredService<IBlobStore>();
        var attachment = new Coffer.Server.Ciphers.Attachment
        {
            Id = Coffer.Server.Ciphers.Attachment.NewId(),
            CipherId = Guid.Parse(cipherId),
            FileName = Fake.EncString(),
            Key = null,
            Size = 81,
            Uploaded = true,
            CreationDate = DateTime.UnixEpoch,
        };
        using var file = new MemoryStream(FileApi.EncryptedFile());
        await store.CommitAsync(await store.StageAsync(Coffer.Server.Files.BlobKeys.Attachment(attachment.CipherId, attachment.Id), file, 81, CancellationToken.None), CancellationToken.None);
        db.Attachments.Add(attachment);
        await db.SaveChangesAsync();
        return attachment.Id;
    }

    private async Task<List<int>> EventTypesAsync(string cipherId, params int[] types)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
        var id = Guid.Parse(cipherId);
        return await db.AuditEvents.AsNoTracking().Where(e => e.CipherId == id && types.Contains((int)e.Type))
            .OrderBy(e => e.Sequence).Select(e => (int)e.Type).ToListAsync();
    }
}
