using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Organizations;

/// <summary>The collection routes (doc <c>bitwarden-organizations.md</c> §5) with the bodies the CLI and web vault send.</summary>
public sealed class CollectionTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task CreateCollection_AsTheCliSendsIt_AnswersCollectionAccessDetails_WithTheStoredRows()
    {
        var organization = await OrgHarness.CreateAsync(factory);

        using var response = await organization.Owner.Client.PostJsonAsync(organization.Url("/collections"),
            OrgItems.CollectionBody([OrgHarness.Access(organization.OwnerMemberId, manage: true)], []));

        var created = await response.ExpectObjectAsync();
        Assert.Equal("collectionAccessDetails", (string?)created["object"]);
        Assert.Equal(organization.Id.ToString(), (string?)created["organizationId"]);
        Assert.StartsWith("2.", created.RequireString("name"), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, created["externalId"]?.GetValueKind() ?? JsonValueKind.Null);
        Assert.True((bool?)created["assigned"]);
        Assert.False((bool?)created["unmanaged"]);
        Assert.True((bool?)created["manage"]);
        var row = Assert.IsType<JsonObject>(Assert.Single(created.RequireArray("users")));
        Assert.Equal(organization.OwnerMemberId.ToString(), (string?)row["id"]);
        Assert.True((bool?)row["manage"]);
        Assert.Empty(created.RequireArray("groups"));
    }

    [Fact]
    public async Task CreateCollection_WithAnEntryWithoutId_OrAMemberOfAnotherOrganization_Returns400_AndCreatesNothing()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var other = await OrgHarness.CreateAsync(factory);
        var noId = new JsonObject { ["readOnly"] = false, ["hidePasswords"] = false, ["manage"] = true };

        using var withoutId = await organization.Owner.Client.PostJsonAsync(organization.Url("/collections"), OrgItems.CollectionBody([noId]));
        using var foreign = await organization.Owner.Client.PostJsonAsync(organization.Url("/collections"), OrgItems.CollectionBody([OrgHarness.Access(other.OwnerMemberId)]));
        using var foreignGroup = await organization.Owner.Client.PostJsonAsync(organization.Url("/collections"), OrgItems.CollectionBody([], [OrgHarness.Access(Guid.NewGuid())]));

        await withoutId.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        await foreign.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        await foreignGroup.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        using var list = await organization.Owner.Client.GetAsync(organization.Url("/collections"));
        Assert.Single((await list.ExpectObjectAsync()).RequireArray("data"));
    }

    [Fact]
    public async Task UpdateCollection_WithNullUsers_KeepsTheRows_AndWithAList_ReplacesThem()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (_, memberId) = await organization.AddMemberAsync();
        var collection = await organization.CreateCollectionAsync(OrgHarness.Access(memberId, readOnly: true));
        var url = organization.Url($"/collections/{collection}");

        using (var unchanged = await organization.Owner.Client.PutJsonAsync(url, OrgItems.CollectionBody(null)))
        {
            var row = Assert.IsType<JsonObject>(Assert.Single((await unchanged.ExpectObjectAsync()).RequireArray("users")));
            Assert.True((bool?)row["readOnly"]);
        }

        using var replaced = await organization.Owner.Client.PutJsonAsync(url, OrgItems.CollectionBody([OrgHarness.Access(memberId, manage: true)]));
        var updated = Assert.IsType<JsonObject>(Assert.Single((await replaced.ExpectObjectAsync()).RequireArray("users")));
        Assert.False((bool?)updated["readOnly"]);
        Assert.True((bool?)updated["manage"]);
        using var emptied = await organization.Owner.Client.PutJsonAsync(url, OrgItems.CollectionBody([]));
        var details = await emptied.ExpectObjectAsync();
        Assert.Empty(details.RequireArray("users"));
        Assert.True((bool?)details["unmanaged"]);
    }

    [Fact]
    public async Task ManagerWithoutEditAny_MayRenameAndGrantOthers_ButNotChangeTheirOwnRow()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (manager, managerId) = await organization.AddMemberAsync();
        var (_, otherId) = await organization.AddMemberAsync();
        var collection = await organization.CreateCollectionAsync(OrgHarness.Access(managerId, manage: true));
        var url = organization.Url($"/collections/{collection}");

        using var grant = await manager.Client.PutJsonAsync(url, OrgItems.CollectionBody([OrgHarness.Access(managerId, manage: true), OrgHarness.Access(otherId, readOnly: true)]));
        Assert.Equal(2, (await grant.ExpectObjectAsync()).RequireArray("users").Count);
        using var dropSelf = await manager.Client.PutJsonAsync(url, OrgItems.CollectionBody([OrgHarness.Access(otherId)]));
        await dropSelf.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        using var delete = await manager.Client.SendEmptyAsync(HttpMethod.Delete, url);
        await delete.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task CollectionLists_GiveAdminsEveryCollection_AndUsersTheirAssignedOnes_WithTheirOwnFlags()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddMemberAsync();
        var assigned = await organization.CreateCollectionAsync(OrgHarness.Access(memberId, readOnly: true, hidePasswords: true));
        await organization.CreateCollectionAsync();

        using var all = await organization.Owner.Client.GetAsync(organization.Url("/collections"));
        var allData = (await all.ExpectObjectAsync()).RequireArray("data");
        Assert.Equal(3, allData.Count);
        Assert.All(allData, c => Assert.Equal("collection", (string?)c!["object"]));
        using var details = await member.Client.GetAsync(organization.Url("/collections/details"));
        var only = Assert.IsType<JsonObject>(Assert.Single((await details.ExpectObjectAsync()).RequireArray("data")));
        Assert.Equal(assigned.ToString(), (string?)only["id"]);
        Assert.Equal("collectionAccessDetails", (string?)only["object"]);
        using var mine = await member.Client.GetAsync("/api/collections");
        var entry = Assert.IsType<JsonObject>(Assert.Single((await mine.ExpectObjectAsync()).RequireArray("data")));
        Assert.Equal("collectionDetails", (string?)entry["object"]);
        Assert.True((bool?)entry["readOnly"]);
        Assert.True((bool?)entry["hidePasswords"]);
        Assert.False((bool?)entry["manage"]);
        using var users = await member.Client.GetAsync(organization.Url($"/collections/{assigned}/users"));
        Assert.Equal(memberId.ToString(), (string?)Assert.Single((await users.ExpectJsonAsync())!.AsArray())!["id"]);
    }

    [Fact]
    public async Task DeleteCollection_LeavesItsItemsInTheOrganization_Unassigned_AndTheMembersLoseThem()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddMemberAsync();
        var collection = await organization.CreateCollectionAsync(OrgHarness.Access(memberId));
        var second = await organization.CreateCollectionAsync();
        var item = (await organization.Owner.CreateItemAsync(organization.Id, collection)).RequireString("id");
        var before = await member.RevisionDateAsync();

        using var delete = await organization.Owner.Client.SendJsonAsync(HttpMethod.Delete, organization.Url("/collections"), new JsonObject { ["ids"] = OrgItems.Ids(collection, second) });

        await delete.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.True(await member.RevisionDateAsync() > before);
        Assert.Null(await member.SyncedCipherAsync(item));
        using var admin = await organization.Owner.Client.GetAsync($"/api/ciphers/organization-details?organizationId={organization.Id}");
        var unassigned = Assert.IsType<JsonObject>((await admin.ExpectObjectAsync()).RequireArray("data").ById(item));
        Assert.Empty(unassigned.RequireArray("collectionIds"));
    }

    [Fact]
    public async Task BulkAccess_AddsTheRowsToEveryCollection_AndTheMemberSeesTheirItems()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddMemberAsync();
        var first = await organization.CreateCollectionAsync();
        var second = await organization.CreateCollectionAsync();
        var item = (await organization.Owner.CreateItemAsync(organization.Id, second)).RequireString("id");

        using var response = await organization.Owner.Client.PostJsonAsync(organization.Url("/collections/bulk-access"),
            new JsonObject { ["collectionIds"] = OrgItems.Ids(first, second), ["users"] = new JsonArray(OrgHarness.Access(memberId, readOnly: true)), ["groups"] = new JsonArray() });

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        var sync = await member.SyncAsync();
        Assert.Equal(2, sync.RequireArray("collections").Count);
        Assert.False((bool?)sync.RequireArray("ciphers").ById(item)!["edit"]);
    }
}
