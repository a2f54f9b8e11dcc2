using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Data;
using Coffer.Server.Organizations;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Organizations;

/// <summary><c>/api/organizations/{orgId}/groups…</c> (doc §1.5): who may change groups, what they store, and the access a group grants.</summary>
public sealed class GroupTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    internal static JsonObject Body(string name = "Engineering", JsonArray? collections = null, IEnumerable<Guid>? users = null) => new()
    {
        ["name"] = name,
        ["externalId"] = null,
        ["collections"] = collections ?? [],
        ["users"] = new JsonArray([.. (users ?? []).Select(id => (JsonNode?)id.ToString())]),
    };

    internal static async Task<Guid> CreateGroupAsync(TestOrganization organization, JsonObject body, TestAccount? by = null)
    {
        using var response = await (by ?? organization.Owner).Client.PostJsonAsync(organization.Url("/groups"), body);
        return Guid.Parse((await response.ExpectObjectAsync()).RequireString("id"));
    }

    private static async Task<List<Guid>> GroupUsersAsync(TestOrganization organization, Guid groupId)
    {
        using var response = await organization.Owner.Client.GetAsync(organization.Url($"/groups/{groupId}/users"));
        return [.. (await response.ExpectJsonAsync())!.AsArray().Select(id => Guid.Parse(id!.GetValue<string>()))];
    }

    [Fact]
    public async Task CreateGroup_AsOwner_StoresCollectionsAndMembersAndEveryMemberListsIt()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddMemberAsync();
        var collectionId = organization.FirstCollectionId!.Value;

        using var created = await organization.Owner.Client.PostJsonAsync(organization.Url("/groups"),
            Body(collections: [OrgHarness.Access(collectionId, readOnly: true)], users: [memberId]));
        var group = await created.ExpectObjectAsync();

        Assert.Equal("Engineering", group.RequireString("name"));
        Assert.Equal(organization.Id.ToString(), group.RequireString("organizationId"));
        var access = Assert.IsType<JsonObject>(Assert.Single(group.RequireArray("collections")));
        Assert.Equal(collectionId.ToString(), access.RequireString("id"));
        Assert.True((bool?)access["readOnly"]);
        Assert.Equal([memberId], await GroupUsersAsync(organization, Guid.Parse(group.RequireString("id"))));
        using var list = await member.Client.GetAsync(organization.Url("/groups"));
        var listed = Assert.IsType<JsonObject>(Assert.Single((await list.ExpectObjectAsync()).RequireArray("data")));
        Assert.Equal(group.RequireString("id"), listed.RequireString("id"));
        Assert.Single(listed.RequireArray("collections"));
        using var details = await member.Client.GetAsync(organization.Url($"/groups/{group.RequireString("id")}/details"));
        Assert.Equal("Engineering", (await details.ExpectObjectAsync()).RequireString("name"));
    }

    [Fact]
    public async Task GroupMember_ReachesTheGroupsCollectionItems_WithTheGroupsFlags()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddMemberAsync();
        var collectionId = await organization.CreateCollectionAsync();
        var cipherId = await AddOrganizationItemAsync(organization, collectionId);
        await CreateGroupAsync(organization, Body(collections: [OrgHarness.Access(collectionId, hidePasswords: true)], users: [memberId]));

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
        var access = await VaultAccess.LoadAsync(db, Guid.Parse(member.UserId), CancellationToken.None);
        var cipher = await db.Ciphers.SingleAsync(c => c.Id == cipherId);

        var flags = access.ItemAccess(cipher, [collectionId]);
        Assert.NotNull(flags);
        Assert.True(flags.Value.HidePasswords);
        Assert.Contains(cipherId, await access.VisibleCiphers(db).Select(c => c.Id).ToListAsync());
        var outsider = await VaultAccess.LoadAsync(db, Guid.Parse((await TestAccount.CreateAsync(factory)).UserId), CancellationToken.None);
        Assert.Null(outsider.ItemAccess(cipher, [collectionId]));
        var sync = await member.SyncAsync();
        var synced = sync.RequireArray("ciphers").ById(cipherId.ToString());
        Assert.NotNull(synced);
        Assert.False((bool?)synced["viewPassword"]);
        Assert.NotNull(sync.RequireArray("collections").ById(collectionId.ToString()));
        using var read = await member.Client.GetAsync($"/api/ciphers/{cipherId}");
        await read.ExpectSuccessAsync();
    }

    [Fact]
    public async Task RemovingAMemberFromTheGroup_TakesTheGroupsItemsAway()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddMemberAsync();
        var collectionId = await organization.CreateCollectionAsync();
        var cipherId = await AddOrganizationItemAsync(organization, collectionId);
        var groupId = await CreateGroupAsync(organization, Body(collections: [OrgHarness.Access(collectionId)], users: [memberId]));
        Assert.NotNull((await member.SyncAsync()).RequireArray("ciphers").ById(cipherId.ToString()));

        using (var remove = await organization.Owner.Client.DeleteAsync(organization.Url($"/groups/{groupId}/user/{memberId}")))
        {
            await remove.ExpectSuccessAsync();
        }

        Assert.Null((await member.SyncAsync()).RequireArray("ciphers").ById(cipherId.ToString()));
        using var read = await member.Client.GetAsync($"/api/ciphers/{cipherId}");
        await read.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
    }

    /// <summary>An organization item in <paramref name="collectionId"/>, created by the owner through <c>POST /api/ciphers/create</c>.</summary>
    internal static async Task<Guid> AddOrganizationItemAsync(TestOrganization organization, Guid collectionId)
    {
        var item = Payloads.LoginCipher();
        item["organizationId"] = organization.Id.ToString();
        using var response = await organization.Owner.Client.PostJsonAsync("/api/ciphers/create",
            new JsonObject { ["cipher"] = item, ["collectionIds"] = new JsonArray(collectionId.ToString()) });
        return Guid.Parse((await response.ExpectObjectAsync()).RequireString("id"));
    }

    [Fact]
    public async Task UpdateGroup_WithNullCollectionsAndUsers_RenamesAndKeepsThem()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (_, memberId) = await organization.AddMemberAsync();
        var groupId = await CreateGroupAsync(organization, Body(collections: [OrgHarness.Access(organization.FirstCollectionId!.Value)], users: [memberId]));

        using var response = await organization.Owner.Client.PutJsonAsync(organization.Url($"/groups/{groupId}"),
            new JsonObject { ["name"] = "Renamed", ["collections"] = null, ["users"] = null });

        var group = await response.ExpectObjectAsync();
        Assert.Equal("Renamed", group.RequireString("name"));
        Assert.Single(group.RequireArray("collections"));
        Assert.Equal([memberId], await GroupUsersAsync(organization, groupId));
    }

    [Fact]
    public async Task PutGroupUsers_ReplacesMembers_AndDeleteUserRemovesOne()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (_, first) = await organization.AddMemberAsync();
        var (_, second) = await organization.AddMemberAsync();
        var groupId = await CreateGroupAsync(organization, Body(users: [first]));

        using (var put = await organization.Owner.Client.PutJsonAsync(organization.Url($"/groups/{groupId}/users"), new JsonArray(second.ToString(), organization.OwnerMemberId.ToString())))
        {
            await put.ExpectSuccessAsync();
        }

        Assert.Equal(new[] { second, organization.OwnerMemberId }.Order().ToList(), await GroupUsersAsync(organization, groupId));
        using (var remove = await organization.Owner.Client.PostJsonAsync(organization.Url($"/groups/{groupId}/delete-user/{second}"), null))
        {
            await remove.ExpectSuccessAsync();
        }

        Assert.Equal([organization.OwnerMemberId], await GroupUsersAsync(organization, groupId));
    }

    [Fact]
    public async Task DeleteGroup_RemovesItsAccess_AndBulkDeleteRemovesSeveral()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var one = await CreateGroupAsync(organization, Body("One", [OrgHarness.Access(organization.FirstCollectionId!.Value)]));
        var two = await CreateGroupAsync(organization, Body("Two"));
        var three = await CreateGroupAsync(organization, Body("Three"));

        using (var delete = await organization.Owner.Client.DeleteAsync(organization.Url($"/groups/{one}")))
        {
            await delete.ExpectSuccessAsync();
        }

        using (var bulk = await organization.Owner.Client.SendJsonAsync(HttpMethod.Delete, organization.Url("/groups"), Payloads.Ids(two.ToString(), three.ToString())))
        {
            await bulk.ExpectSuccessAsync();
        }

        using var list = await organization.Owner.Client.GetAsync(organization.Url("/groups"));
        Assert.Empty((await list.ExpectObjectAsync()).RequireArray("data"));
        await using var scope = factory.Services.CreateAsyncScope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<CofferDb>().CollectionGroups.AnyAsync(a => a.GroupId == one));
    }

    [Fact]
    public async Task GroupWrites_AsUser_Return404AndChangeNothing()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddMemberAsync();
        var groupId = await CreateGroupAsync(organization, Body());

        using (var create = await member.Client.PostJsonAsync(organization.Url("/groups"), Body()))
        {
            await create.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        }

        using (var update = await member.Client.PutJsonAsync(organization.Url($"/groups/{groupId}"), Body("Mine", users: [memberId])))
        {
            await update.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        }

        using (var delete = await member.Client.DeleteAsync(organization.Url($"/groups/{groupId}")))
        {
            await delete.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        }

        using var users = await member.Client.GetAsync(organization.Url($"/groups/{groupId}/users"));
        await users.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Empty(await GroupUsersAsync(organization, groupId));
    }

    [Fact]
    public async Task CustomWithManageGroups_MayGrantOnlyCollectionsItManages_AndNotAddItself()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var managed = organization.FirstCollectionId!.Value;
        var (custom, customId) = await organization.AddMemberAsync(4,
            collections: [OrgHarness.Access(managed, manage: true)], permissions: new JsonObject { ["manageGroups"] = true });
        var other = await organization.CreateCollectionAsync();
        var (_, memberId) = await organization.AddMemberAsync();

        using (var refused = await custom.Client.PostJsonAsync(organization.Url("/groups"), Body(collections: [OrgHarness.Access(other, manage: true)], users: [memberId])))
        {
            await refused.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        }

        using (var self = await custom.Client.PostJsonAsync(organization.Url("/groups"), Body(collections: [OrgHarness.Access(managed)], users: [customId])))
        {
            await self.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        }

        await CreateGroupAsync(organization, Body(collections: [OrgHarness.Access(managed)], users: [memberId]), custom);
        using var list = await organization.Owner.Client.GetAsync(organization.Url("/groups"));
        Assert.Single((await list.ExpectObjectAsync()).RequireArray("data"));
    }

    [Fact]
    public async Task GroupChange_BumpsItsMembersRevisionDates_AndIsAudited()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddMemberAsync();
        var groupId = await CreateGroupAsync(organization, Body(users: [memberId]));
        var before = await member.RevisionDateAsync();

        using (var update = await organization.Owner.Client.PutJsonAsync(organization.Url($"/groups/{groupId}"),
            Body(collections: [OrgHarness.Access(organization.FirstCollectionId!.Value)], users: [memberId])))
        {
            await update.ExpectSuccessAsync();
        }

        Assert.True(await member.RevisionDateAsync() > before);
        using (var delete = await organization.Owner.Client.DeleteAsync(organization.Url($"/groups/{groupId}")))
        {
            await delete.ExpectSuccessAsync();
        }

        await using var scope = factory.Services.CreateAsyncScope();
        var types = await scope.ServiceProvider.GetRequiredService<CofferDb>().AuditEvents.Where(e => e.GroupId == groupId)
            .OrderBy(e => e.Sequence).Select(e => (int)e.Type).ToListAsync();
        Assert.Equal([1504, 1400, 1401, 1402], types);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public async Task CreateGroup_WithoutAName_Returns400(string? name)
    {
        var organization = await OrgHarness.CreateAsync(factory);

        using var response = await organization.Owner.Client.PostJsonAsync(organization.Url("/groups"), new JsonObject { ["name"] = name });

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task CreateGroup_WithANameOver100Characters_Returns400()
    {
        var organization = await OrgHarness.CreateAsync(factory);

        using var response = await organization.Owner.Client.PostJsonAsync(organization.Url("/groups"), Body(new string('g', 101)));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }
}
