using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Data;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Organizations;

/// <summary>
/// Advisory T8 (doc §9.6; GHSA-569v-845w-g82p, Vaultwarden 1.35.5): binding a group of organization B to a
/// collection of A, or the reverse, gave read and write access into another organization. Every group, member and
/// collection id in a group, member or collection body must belong to the route's organization: 400 otherwise, and
/// nothing saved.
/// </summary>
public sealed class T8_CrossOrganizationGroupBindingTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    private async Task<int> BindingsAsync(Guid organizationId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
        return await db.CollectionGroups.CountAsync(a => db.Groups.Any(g => g.Id == a.GroupId && g.OrganizationId == organizationId))
            + await db.GroupMembers.CountAsync(m => db.Groups.Any(g => g.Id == m.GroupId && g.OrganizationId == organizationId))
            + await db.Groups.CountAsync(g => g.OrganizationId == organizationId);
    }

    [Fact]
    public async Task CreateGroup_WithACollectionOfAnotherOrganization_Returns400InvalidCollection()
    {
        var a = await OrgHarness.CreateAsync(factory);
        var b = await OrgHarness.CreateAsync(factory);

        using var response = await a.Owner.Client.PostJsonAsync(a.Url("/groups"), GroupTests.Body(collections: [OrgHarness.Access(b.FirstCollectionId!.Value, manage: true)]));

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Contains("Invalid collection", error.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(0, await BindingsAsync(a.Id));
    }

    [Fact]
    public async Task CreateGroup_WithAMemberOfAnotherOrganization_Returns400InvalidMember()
    {
        var a = await OrgHarness.CreateAsync(factory);
        var b = await OrgHarness.CreateAsync(factory);
        var (_, memberOfB) = await b.AddMemberAsync();

        using var response = await a.Owner.Client.PostJsonAsync(a.Url("/groups"), GroupTests.Body(users: [memberOfB]));

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Contains("Invalid member", error.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(0, await BindingsAsync(a.Id));
    }

    [Fact]
    public async Task UpdateGroupAndPutUsers_WithIdsOfAnotherOrganization_Return400AndKeepTheGroup()
    {
        var a = await OrgHarness.CreateAsync(factory);
        var b = await OrgHarness.CreateAsync(factory);
        var (_, memberOfB) = await b.AddMemberAsync();
        var groupId = await GroupTests.CreateGroupAsync(a, GroupTests.Body());
        var before = await BindingsAsync(a.Id);

        using (var update = await a.Owner.Client.PutJsonAsync(a.Url($"/groups/{groupId}"), GroupTests.Body(collections: [OrgHarness.Access(b.FirstCollectionId!.Value)])))
        {
            await update.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        }

        using (var users = await a.Owner.Client.PutJsonAsync(a.Url($"/groups/{groupId}/users"), new JsonArray(memberOfB.ToString())))
        {
            await users.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        }

        Assert.Equal(before, await BindingsAsync(a.Id));
    }

    [Fact]
    public async Task CreateAndUpdateCollection_WithAGroupOfAnotherOrganization_Return400InvalidGroup()
    {
        var a = await OrgHarness.CreateAsync(factory);
        var b = await OrgHarness.CreateAsync(factory);
        var groupOfB = await GroupTests.CreateGroupAsync(b, GroupTests.Body());
        var groupOfA = await GroupTests.CreateGroupAsync(a, GroupTests.Body());
        JsonObject Body(Guid group) => new()
        {
            ["name"] = Fake.EncString(),
            ["externalId"] = null,
            ["users"] = new JsonArray(),
            ["groups"] = new JsonArray(new JsonObject { ["id"] = group.ToString(), ["readOnly"] = false, ["hidePasswords"] = false, ["manage"] = true }),
        };

        using (var create = await a.Owner.Client.PostJsonAsync(a.Url("/collections"), Body(groupOfB)))
        {
            var error = await create.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
            Assert.Contains("Invalid group", error.ToJsonString(), StringComparison.Ordinal);
        }

        using (var update = await a.Owner.Client.PutJsonAsync(a.Url($"/collections/{a.FirstCollectionId}"), Body(groupOfB)))
        {
            await update.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        }

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            Assert.False(await scope.ServiceProvider.GetRequiredService<CofferDb>().CollectionGroups.AnyAsync(x => x.GroupId == groupOfB));
        }

        // The same body with A's own group binds it.
        using var own = await a.Owner.Client.PutJsonAsync(a.Url($"/collections/{a.FirstCollectionId}"), Body(groupOfA));
        await own.ExpectSuccessAsync();
    }

    [Fact]
    public async Task InviteAndEditMember_WithAGroupOfAnotherOrganization_Return400InvalidGroup()
    {
        var a = await OrgHarness.CreateAsync(factory);
        var b = await OrgHarness.CreateAsync(factory);
        var groupOfB = await GroupTests.CreateGroupAsync(b, GroupTests.Body(collections: [OrgHarness.Access(b.FirstCollectionId!.Value, manage: true)]));
        var (_, memberOfA) = await a.AddMemberAsync();
        var invitee = await TestAccount.CreateAsync(factory);

        using (var invite = await a.Owner.Client.PostJsonAsync(a.Url("/users/invite"), new JsonObject
        {
            ["emails"] = new JsonArray(invitee.Email),
            ["type"] = 2,
            ["collections"] = new JsonArray(),
            ["groups"] = new JsonArray(groupOfB.ToString()),
        }))
        {
            var error = await invite.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
            Assert.Contains("Invalid group", error.ToJsonString(), StringComparison.Ordinal);
        }

        using (var edit = await a.Owner.Client.PutJsonAsync(a.Url($"/users/{memberOfA}"), new JsonObject
        {
            ["type"] = 2,
            ["collections"] = new JsonArray(),
            ["groups"] = new JsonArray(groupOfB.ToString()),
        }))
        {
            var error = await edit.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
            Assert.Contains("Invalid group", error.ToJsonString(), StringComparison.Ordinal);
        }

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
        Assert.Empty(await db.GroupMembers.Where(m => m.GroupId == groupOfB).ToListAsync());
        Assert.False(await db.Memberships.AnyAsync(m => m.OrganizationId == a.Id && m.Email == invitee.Email));
    }
}
