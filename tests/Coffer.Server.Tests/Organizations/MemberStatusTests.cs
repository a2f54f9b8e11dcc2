using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Audit;
using Coffer.Server.Organizations;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Organizations;

/// <summary>Revoke, restore and remove, single and bulk (<c>bitwarden-organizations.md</c> §4.5, §9.5).</summary>
public sealed class MemberStatusTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task Revoke_HidesTheOrganization_AndRestoreBringsItBackWithTheSameKey()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddMemberAsync();
        var key = organization.StoredMember(memberId)!.Key;

        using (var revoke = await organization.Owner.Client.SendEmptyAsync(HttpMethod.Put, organization.Url($"/users/{memberId}/revoke")))
        {
            await revoke.ExpectStatusAsync(HttpStatusCode.OK);
        }

        var revoked = organization.StoredMember(memberId)!;
        Assert.Equal(MembershipStatus.Revoked, revoked.Status);
        Assert.Equal(MembershipStatus.Confirmed, revoked.StatusBeforeRevoke);
        Assert.Empty(await ProfileOrganizationsAsync(member));
        using (var denied = await member.Client.GetAsync(organization.Url("/public-key")))
        {
            await denied.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        }

        using (var restore = await organization.Owner.Client.SendEmptyAsync(HttpMethod.Put, organization.Url($"/users/{memberId}/restore")))
        {
            await restore.ExpectStatusAsync(HttpStatusCode.OK);
        }

        var restored = organization.StoredMember(memberId)!;
        Assert.Equal(MembershipStatus.Confirmed, restored.Status);
        Assert.Null(restored.StatusBeforeRevoke);
        Assert.Equal(key, (string?)Assert.Single(await ProfileOrganizationsAsync(member))!["key"]);
        var events = await AccountChanges.AuditEventsAsync(factory, member.UserId);
        Assert.Contains(EventType.MemberRevoked, events);
        Assert.Contains(EventType.MemberRestored, events);
    }

    [Fact]
    public async Task Restore_OfARevokedAcceptedMember_ReturnsItToAccepted()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (_, memberId) = await organization.AddAcceptedMemberAsync();

        using (var revoke = await organization.Owner.Client.SendEmptyAsync(HttpMethod.Put, organization.Url($"/users/{memberId}/revoke")))
        {
            await revoke.ExpectStatusAsync(HttpStatusCode.OK);
        }

        using var restore = await organization.Owner.Client.SendEmptyAsync(HttpMethod.Put, organization.Url($"/users/{memberId}/restore"));

        await restore.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.Equal(MembershipStatus.Accepted, organization.StoredMember(memberId)!.Status);
    }

    [Theory]
    [InlineData("/revoke")]
    [InlineData("/restore")]
    [InlineData("")]
    public async Task StatusChange_OfYourself_Returns400(string path)
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (admin, adminId) = await organization.AddMemberAsync(type: 1);
        var method = path == "" ? HttpMethod.Delete : HttpMethod.Put;

        using var response = await admin.Client.SendEmptyAsync(method, organization.Url($"/users/{adminId}{path}"));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal(MembershipStatus.Confirmed, organization.StoredMember(adminId)!.Status);
    }

    [Theory]
    [InlineData("/revoke", 0)]
    [InlineData("/revoke", 1)]
    [InlineData("", 0)]
    [InlineData("", 1)]
    public async Task StatusChange_OfAnOwnerOrAdmin_ByAnAdmin_Returns400(string path, int type)
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (admin, _) = await organization.AddMemberAsync(type: 1);
        var (_, targetId) = await organization.AddMemberAsync(type: type);
        var method = path == "" ? HttpMethod.Delete : HttpMethod.Put;

        using var response = await admin.Client.SendEmptyAsync(method, organization.Url($"/users/{targetId}{path}"));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal(MembershipStatus.Confirmed, organization.StoredMember(targetId)!.Status);
    }

    [Fact]
    public async Task StatusChange_OfAUser_ByACustomMemberWithManageUsers_Works()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var manager = await organization.MemberAsAsync("custom-manageUsers");
        var (_, userId) = await organization.AddMemberAsync();

        using var response = await manager.Client.SendEmptyAsync(HttpMethod.Put, organization.Url($"/users/{userId}/revoke"));

        await response.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Revoke_AnotherOwner_WhileOneOwnerStays_Works()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (_, secondOwnerId) = await organization.AddMemberAsync(type: 0);

        using var response = await organization.Owner.Client.SendEmptyAsync(HttpMethod.Put, organization.Url($"/users/{secondOwnerId}/revoke"));

        await response.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Remove_DeletesTheMembershipAndItsAccess_AndTheMembersProfileDropsTheOrganization()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddMemberAsync(collections: [OrgHarness.Access(organization.FirstCollectionId!.Value)]);
        var before = await member.RevisionDateAsync();

        using var response = await organization.Owner.Client.SendEmptyAsync(HttpMethod.Delete, organization.Url($"/users/{memberId}"));

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.Null(organization.StoredMember(memberId));
        Assert.Equal(0, await AccountChanges.QueryAsync(factory, db => Task.FromResult(db.CollectionMembers.Count(a => a.MembershipId == memberId))));
        Assert.Empty(await ProfileOrganizationsAsync(member));
        Assert.True(await member.RevisionDateAsync() > before);
        Assert.Contains(EventType.MemberRemoved, await AccountChanges.AuditEventsAsync(factory, member.UserId));
    }

    [Fact]
    public async Task Remove_TheLastOwner_IsImpossible_EvenForAnotherOwnerWhoIsNotConfirmed()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (pending, _) = await organization.AddAcceptedMemberAsync(type: 0);

        using var response = await pending.Client.SendEmptyAsync(HttpMethod.Delete, organization.Url($"/users/{organization.OwnerMemberId}"));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        Assert.NotNull(organization.StoredMember(organization.OwnerMemberId));
    }

    [Theory]
    [InlineData("PUT", "/revoke", MembershipStatus.Revoked)]
    [InlineData("DELETE", "", null)]
    [InlineData("POST", "/delete", null)]
    public async Task BulkChange_AppliesToEachMemberOfThisOrganization_AndReportsForeignIds(string method, string path, MembershipStatus? expected)
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (_, first) = await organization.AddMemberAsync();
        var (_, second) = await organization.AddAcceptedMemberAsync();
        var other = await OrgHarness.CreateAsync(factory);
        var (_, foreign) = await other.AddMemberAsync();

        using var response = await organization.Owner.Client.SendJsonAsync(new HttpMethod(method), organization.Url("/users" + path),
            new JsonObject { ["ids"] = new JsonArray(first.ToString(), second.ToString(), foreign.ToString(), organization.OwnerMemberId.ToString()) });

        var results = (await response.ExpectObjectAsync()).RequireArray("data");
        Assert.Equal("", (string?)results.ById(first.ToString())!["error"]);
        Assert.Equal("", (string?)results.ById(second.ToString())!["error"]);
        Assert.Equal("User not found.", (string?)results.ById(foreign.ToString())!["error"]);
        Assert.NotEqual("", (string?)results.ById(organization.OwnerMemberId.ToString())!["error"]);
        Assert.Equal(expected, organization.StoredMember(first)?.Status);
        Assert.Equal(expected, organization.StoredMember(second)?.Status);
        Assert.Equal(MembershipStatus.Confirmed, other.StoredMember(foreign)!.Status);
        Assert.Equal(MembershipStatus.Confirmed, organization.StoredMember(organization.OwnerMemberId)!.Status);
    }

    [Fact]
    public async Task BulkRestore_RestoresEachRevokedMember()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (_, first) = await organization.AddMemberAsync();
        var (_, second) = await organization.AddMemberAsync();
        var ids = new JsonObject { ["ids"] = new JsonArray(first.ToString(), second.ToString()) };
        using (var revoke = await organization.Owner.Client.PutJsonAsync(organization.Url("/users/revoke"), ids.DeepClone()))
        {
            await revoke.ExpectObjectAsync();
        }

        using var restore = await organization.Owner.Client.PutJsonAsync(organization.Url("/users/restore"), ids);

        Assert.All((await restore.ExpectObjectAsync()).RequireArray("data"), r => Assert.Equal("", (string?)r!["error"]));
        Assert.Equal(MembershipStatus.Confirmed, organization.StoredMember(first)!.Status);
        Assert.Equal(MembershipStatus.Confirmed, organization.StoredMember(second)!.Status);
    }

    [Fact]
    public async Task BulkChange_WithoutIds_Returns400()
    {
        var organization = await OrgHarness.CreateAsync(factory);

        using var response = await organization.Owner.Client.PutJsonAsync(organization.Url("/users/revoke"), new JsonObject { ["ids"] = new JsonArray() });

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    private static async Task<JsonArray> ProfileOrganizationsAsync(TestAccount account)
    {
        using var response = await account.Client.GetAsync("/api/accounts/profile");
        return (await response.ExpectObjectAsync()).RequireArray("organizations");
    }
}
