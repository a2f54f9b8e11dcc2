using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Tests.Infrastructure;
using Coffer.Server.Tests.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Organizations;

/// <summary>Organization items (doc <c>bitwarden-organizations.md</c> §2.6, §6, §7.3, §10): create, share, collections, admin routes, purge.</summary>
public sealed class OrgCipherTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task CreateItemWithoutCollections_IsForMembersWhoEditAnyCollection_Else400()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (user, _) = await organization.AddMemberAsync(collections: [OrgHarness.Access(organization.FirstCollectionId!.Value)]);

        using var byOwner = await organization.Owner.Client.PostJsonAsync("/api/ciphers", OrgItems.Item(organization.Id, organization.Owner));
        using var byUser = await user.Client.PostJsonAsync("/api/ciphers", OrgItems.Item(organization.Id, user));

        var created = await byOwner.ExpectObjectAsync();
        Assert.Equal(organization.Id.ToString(), (string?)created["organizationId"]);
        Assert.Empty(created.RequireArray("collectionIds"));
        var error = await byUser.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal("You must select at least one collection.", (string?)error["message"]);
    }

    [Fact]
    public async Task CreateItemIntoACollection_NotifiesEveryMemberWhoSeesIt_WithOrganizationAndCollectionIds_AndBumpsTheirRevisionDates()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var collection = organization.FirstCollectionId!.Value;
        var (member, _) = await organization.AddMemberAsync(collections: [OrgHarness.Access(collection, readOnly: true)]);
        var (outsider, _) = await organization.AddMemberAsync();
        var memberBefore = await member.RevisionDateAsync();
        var outsiderBefore = await outsider.RevisionDateAsync();
        await using var hub = await LiveSyncClient.ConnectAsync(factory, member.AccessToken);

        var item = await organization.Owner.CreateItemAsync(organization.Id, collection);

        var notification = await hub.NextNotificationAsync();
        Assert.Equal(1, notification.Type);
        Assert.Equal(item.RequireString("id"), notification.Id);
        Assert.Equal(organization.Id.ToString(), notification.Payload["OrganizationId"]);
        Assert.Equal([collection.ToString()], Assert.IsType<object[]>(notification.Payload["CollectionIds"]).Select(c => (string?)c));
        Assert.True(await member.RevisionDateAsync() > memberBefore);
        Assert.Equal(outsiderBefore, await outsider.RevisionDateAsync());
        var synced = await member.SyncedCipherAsync(item.RequireString("id"));
        Assert.False((bool?)synced!["edit"]);
        Assert.Null(await outsider.SyncedCipherAsync(item.RequireString("id")));
    }

    [Fact]
    public async Task Share_MovesTheCallersPersonalItemIntoTheOrganization_WithTheRevisionCheck_AndKeepsItsFolderForTheCaller()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var owner = organization.Owner;
        var (member, _) = await organization.AddMemberAsync(collections: [OrgHarness.Access(organization.FirstCollectionId!.Value)]);
        var folder = (await owner.CreateFolderAsync()).RequireString("id");
        var personal = await owner.CreateCipherAsync(Payloads.LoginCipher(folderId: folder));
        var id = personal.RequireString("id");
        var body = new JsonObject { ["cipher"] = OrgItems.Item(organization.Id, owner), ["collectionIds"] = OrgItems.Ids(organization.FirstCollectionId!.Value) };
        body["cipher"]!["lastKnownRevisionDate"] = CipherAssert.Shift(personal.RequireString("revisionDate"), TimeSpan.FromMinutes(-5));

        using (var stale = await owner.Client.PutJsonAsync($"/api/ciphers/{id}/share", body))
        {
            await stale.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        }

        body["cipher"]!["lastKnownRevisionDate"] = personal.RequireString("revisionDate");
        using var shared = await owner.Client.PutJsonAsync($"/api/ciphers/{id}/share", body);

        var moved = await shared.ExpectObjectAsync();
        Assert.Equal(organization.Id.ToString(), (string?)moved["organizationId"]);
        Assert.Equal([organization.FirstCollectionId!.Value.ToString()], moved.RequireArray("collectionIds").Select(c => (string?)c));
        Assert.Equal(folder, (string?)moved["folderId"]);
        var seen = await member.SyncedCipherAsync(id);
        Assert.NotNull(seen);
        Assert.Null((string?)seen!["folderId"]);
        using var again = await owner.ShareRequestAsync(id, organization.Id, organization.FirstCollectionId!.Value);
        await again.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        Assert.Contains(EventType.CipherShared, await OrganizationEventsAsync(organization.Id));
    }

    [Fact]
    public async Task BulkShare_MovesEveryListedPersonalItem()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var owner = organization.Owner;
        var ids = new[] { (await owner.CreateCipherAsync()).RequireString("id"), (await owner.CreateCipherAsync()).RequireString("id") };
        var ciphers = new JsonArray();
        foreach (var id in ids)
        {
            var cipher = OrgItems.Item(organization.Id, owner);
            cipher["id"] = id;
            ciphers.Add(cipher);
        }

        using var response = await owner.Client.PutJsonAsync("/api/ciphers/share", new JsonObject { ["ciphers"] = ciphers, ["collectionIds"] = OrgItems.Ids(organization.FirstCollectionId!.Value) });

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        var sync = await owner.SyncAsync();
        Assert.All(ids, id => Assert.Equal(organization.Id.ToString(), (string?)sync.RequireArray("ciphers").ById(id)!["organizationId"]));
    }

    [Fact]
    public async Task CollectionsV2_AnswersTheOptionalWrapper_AndUnavailableWhenTheCallerRemovesTheirOwnAccess()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var first = organization.FirstCollectionId!.Value;
        var (member, memberId) = await organization.AddMemberAsync();
        var second = await organization.CreateCollectionAsync(OrgHarness.Access(memberId));
        var third = await organization.CreateCollectionAsync(OrgHarness.Access(memberId, readOnly: true, hidePasswords: true));
        var item = (await organization.Owner.CreateItemAsync(organization.Id, first, second)).RequireString("id");
        var hidden = (await organization.Owner.CreateItemAsync(organization.Id, third)).RequireString("id");

        using (var moved = await member.CollectionsV2Async(item, second))
        {
            var wrapper = await moved.ExpectObjectAsync();
            Assert.Equal("optionalCipherDetails", (string?)wrapper["object"]);
            Assert.False((bool?)wrapper["unavailable"]);
            // The collection the member cannot see stays: they only sent the ones they see.
            Assert.Equal([second.ToString()], wrapper["cipher"].RequireArray("collectionIds").Select(c => (string?)c));
        }

        using (var admin = await organization.Owner.Client.GetAsync($"/api/ciphers/{item}/admin"))
        {
            Assert.Equal(2, (await admin.ExpectObjectAsync()).RequireArray("collectionIds").Count);
        }

        using (var hidePasswords = await member.CollectionsV2Async(hidden))
        {
            await hidePasswords.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        }

        using var removed = await member.CollectionsV2Async(item);
        var gone = await removed.ExpectObjectAsync();
        Assert.True((bool?)gone["unavailable"]);
        Assert.Null(gone["cipher"]);
        Assert.Null(await member.SyncedCipherAsync(item));
        Assert.Contains(EventType.CipherUpdatedCollections, await OrganizationEventsAsync(organization.Id));
    }

    [Fact]
    public async Task CollectionChangeThatRemovesAccess_NotifiesTheMemberWhoLosesTheItem()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddMemberAsync();
        var collection = await organization.CreateCollectionAsync(OrgHarness.Access(memberId));
        var item = (await organization.Owner.CreateItemAsync(organization.Id, collection)).RequireString("id");
        await using var hub = await LiveSyncClient.ConnectAsync(factory, member.AccessToken);

        using var response = await organization.Owner.CollectionsV2Async(item, organization.FirstCollectionId!.Value);

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        var notification = await hub.NextNotificationAsync();
        Assert.Equal(0, notification.Type);
        Assert.Equal(item, notification.Id);
        using var details = await member.Client.GetAsync($"/api/ciphers/{item}/details");
        await details.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task FolderAndFavoriteOfAnOrganizationItem_ArePerMember()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var collection = organization.FirstCollectionId!.Value;
        var (member, _) = await organization.AddMemberAsync(collections: [OrgHarness.Access(collection, readOnly: true)]);
        var item = await organization.Owner.CreateItemAsync(organization.Id, collection);
        var id = item.RequireString("id");
        var folder = (await organization.Owner.CreateFolderAsync()).RequireString("id");
        var edit = OrgItems.Item(organization.Id, organization.Owner);
        edit["folderId"] = folder;
        edit["favorite"] = true;

        using (var response = await organization.Owner.Client.PutJsonAsync($"/api/ciphers/{id}", edit))
        {
            var updated = await response.ExpectObjectAsync();
            Assert.Equal(folder, (string?)updated["folderId"]);
            Assert.True((bool?)updated["favorite"]);
        }

        var theirs = await member.SyncedCipherAsync(id);
        Assert.Null((string?)theirs!["folderId"]);
        Assert.False((bool?)theirs["favorite"]);
        // A read-only member still files the item in their own folder.
        var memberFolder = (await member.CreateFolderAsync()).RequireString("id");
        using (var move = await member.Client.PutJsonAsync("/api/ciphers/move", new JsonObject { ["ids"] = new JsonArray(id), ["folderId"] = memberFolder }))
        {
            await move.ExpectStatusAsync(HttpStatusCode.OK);
        }

        Assert.Equal(memberFolder, (string?)(await member.SyncedCipherAsync(id))!["folderId"]);
        Assert.Equal(folder, (string?)(await organization.Owner.SyncedCipherAsync(id))!["folderId"]);
    }

    [Fact]
    public async Task EditThatChangesTheOrganization_IsRefused()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var owner = organization.Owner;
        var item = (await owner.CreateItemAsync(organization.Id, organization.FirstCollectionId!.Value)).RequireString("id");
        var personal = (await owner.CreateCipherAsync()).RequireString("id");

        using var toPersonal = await owner.Client.PutJsonAsync($"/api/ciphers/{item}", Payloads.LoginCipher(encryptedFor: owner.UserId));
        using var toOrganization = await owner.Client.PutJsonAsync($"/api/ciphers/{personal}", OrgItems.Item(organization.Id, owner));

        var error = await toPersonal.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.StartsWith("Organization mismatch", (string?)error["message"], StringComparison.Ordinal);
        await toOrganization.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task AdminRoutes_ReadEditTrashRestoreAndDeleteAnUnassignedItem()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var owner = organization.Owner;
        using var created = await owner.Client.PostJsonAsync("/api/ciphers", OrgItems.Item(organization.Id, owner));
        var id = (await created.ExpectObjectAsync()).RequireString("id");

        using (var read = await owner.Client.GetAsync($"/api/ciphers/{id}/admin"))
        {
            Assert.Equal(organization.Id.ToString(), (string?)(await read.ExpectObjectAsync())["organizationId"]);
        }

        using (var edit = await owner.Client.PutJsonAsync($"/api/ciphers/{id}/admin", OrgItems.Item(organization.Id, owner)))
        {
            await edit.ExpectStatusAsync(HttpStatusCode.OK);
        }

        using (var trash = await owner.Client.SendEmptyAsync(HttpMethod.Put, $"/api/ciphers/{id}/delete-admin"))
        {
            await trash.ExpectStatusAsync(HttpStatusCode.OK);
        }

        using (var restore = await owner.Client.SendEmptyAsync(HttpMethod.Put, $"/api/ciphers/{id}/restore-admin"))
        {
            await restore.ExpectStatusAsync(HttpStatusCode.OK);
        }

        using (var delete = await owner.Client.SendJsonAsync(HttpMethod.Delete, "/api/ciphers/admin", new JsonObject { ["ids"] = new JsonArray(id), ["organizationId"] = organization.Id.ToString() }))
        {
            await delete.ExpectStatusAsync(HttpStatusCode.OK);
        }

        using var gone = await owner.Client.GetAsync($"/api/ciphers/{id}/admin");
        await gone.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        var events = await OrganizationEventsAsync(organization.Id);
        Assert.Contains(EventType.CipherSoftDeleted, events);
        Assert.Contains(EventType.CipherRestored, events);
        Assert.Contains(EventType.CipherDeleted, events);
    }

    [Fact]
    public async Task Purge_NeedsAConfirmedOwnerAndTheMasterPassword_ThenDeletesEveryItemOfTheOrganizationOnly()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var owner = organization.Owner;
        var (admin, _) = await organization.AddMemberAsync(type: 1);
        var (acceptedOwner, _) = await organization.AddAcceptedMemberAsync(type: 0);
        var item = (await owner.CreateItemAsync(organization.Id, organization.FirstCollectionId!.Value)).RequireString("id");
        var personal = (await owner.CreateCipherAsync()).RequireString("id");
        var url = $"/api/ciphers/purge?organizationId={organization.Id}";
        JsonObject Proof(TestAccount by) => new() { ["masterPasswordHash"] = by.Credentials.MasterPasswordHash };

        Assert.Equal(HttpStatusCode.NotFound, await OrgItems.StatusAsync(acceptedOwner.Client.PostJsonAsync(url, Proof(acceptedOwner))));
        Assert.Equal(HttpStatusCode.BadRequest, await OrgItems.StatusAsync(admin.Client.PostJsonAsync(url, Proof(admin))));
        Assert.Equal(HttpStatusCode.BadRequest, await OrgItems.StatusAsync(owner.Client.PostJsonAsync(url, new JsonObject { ["masterPasswordHash"] = "wrong" })));
        Assert.NotNull(await owner.SyncedCipherAsync(item));

        using var purge = await owner.Client.PostJsonAsync(url, Proof(owner));

        await purge.ExpectStatusAsync(HttpStatusCode.OK);
        var sync = await owner.SyncAsync();
        Assert.Null(sync.RequireArray("ciphers").ById(item));
        Assert.NotNull(sync.RequireArray("ciphers").ById(personal));
        Assert.Contains(EventType.OrganizationPurgedVault, await OrganizationEventsAsync(organization.Id));
    }

    [Fact]
    public async Task BulkDeleteByAMember_DeletesOnlyWhatTheyCanEdit_AllOrNothing()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddMemberAsync();
        var writable = await organization.CreateCollectionAsync(OrgHarness.Access(memberId));
        var readable = await organization.CreateCollectionAsync(OrgHarness.Access(memberId, readOnly: true));
        var mine = (await organization.Owner.CreateItemAsync(organization.Id, writable)).RequireString("id");
        var theirs = (await organization.Owner.CreateItemAsync(organization.Id, readable)).RequireString("id");

        using (var refused = await member.Client.PutJsonAsync("/api/ciphers/delete", Payloads.Ids(mine, theirs)))
        {
            await refused.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        }

        Assert.Null((string?)(await member.SyncedCipherAsync(mine))!["deletedDate"]);
        using var allowed = await member.Client.PutJsonAsync("/api/ciphers/delete", Payloads.Ids(mine));
        await allowed.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.NotNull((string?)(await organization.Owner.SyncedCipherAsync(mine))!["deletedDate"]);
    }

    private async Task<List<EventType>> OrganizationEventsAsync(Guid organizationId)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
        return await db.AuditEvents.Where(e => e.OrganizationId == organizationId).Select(e => e.Type).ToListAsync();
    }
}
