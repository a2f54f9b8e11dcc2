using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Audit;
using Coffer.Server.Organizations;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Tests.Organizations;

/// <summary>
/// Accounts and organizations (issue 11 points 8, 9; <c>bitwarden-organizations.md</c> §6.5, §9.5): deletion and the
/// last owner, key rotation keeping memberships, and the organization's event log.
/// </summary>
public sealed class OrganizationAccountTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task DeleteAccount_OfTheLastOwnerOfAnOrganizationWithMembers_Returns400_AndKeepsEverything()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        await organization.AddMemberAsync();

        using var response = await organization.Owner.Client.SendJsonAsync(HttpMethod.Delete, "/api/accounts", AccountChanges.Secret(organization.Owner.Credentials.MasterPasswordHash));

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Contains("last owner", (string?)error["message"], StringComparison.Ordinal);
        await AccountChanges.AssertSessionAliveAsync(organization.Owner);
        Assert.NotNull(organization.StoredMember(organization.OwnerMemberId));
    }

    [Fact]
    public async Task DeleteAccount_OfAnOwnerWithAnotherConfirmedOwner_RemovesItsMembership_AndTellsTheOthers()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (other, _) = await organization.AddMemberAsync(type: 0);
        var before = await other.RevisionDateAsync();

        using var response = await organization.Owner.Client.SendJsonAsync(HttpMethod.Delete, "/api/accounts", AccountChanges.Secret(organization.Owner.Credentials.MasterPasswordHash));

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.Null(organization.StoredMember(organization.OwnerMemberId));
        Assert.True(await other.RevisionDateAsync() > before);
        using var members = await other.Client.GetAsync(organization.Url("/users"));
        Assert.Single((await members.ExpectObjectAsync()).RequireArray("data"));
    }

    [Fact]
    public async Task DeleteAccount_OfAnOrganizationsOnlyMember_DeletesTheOrganization()
    {
        var organization = await OrgHarness.CreateAsync(factory);

        using var response = await organization.Owner.Client.SendJsonAsync(HttpMethod.Delete, "/api/accounts", AccountChanges.Secret(organization.Owner.Credentials.MasterPasswordHash));

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        var id = organization.Id;
        var left = await AccountChanges.QueryAsync(factory, async db => new[]
        {
            await db.Organizations.CountAsync(o => o.Id == id),
            await db.Collections.CountAsync(c => c.OrganizationId == id),
        });
        Assert.All(left, count => Assert.Equal(0, count));
    }

    [Fact]
    public async Task DeleteAccount_OfAMember_RemovesItsMembership()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddMemberAsync();

        using var response = await member.Client.SendJsonAsync(HttpMethod.Post, "/api/accounts/delete", AccountChanges.Secret(member.Credentials.MasterPasswordHash));

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.Null(organization.StoredMember(memberId));
    }

    [Fact]
    public async Task AdminDeleteUser_OfTheLastOwnerOfAnOrganizationWithMembers_Returns400Problem()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        await organization.AddMemberAsync();
        var admin = await factory.CreateAdminAsync();

        using var response = await admin.Client.DeleteAsync($"/admin/api/users/{organization.Owner.UserId}");

        var problem = await response.ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("last owner", (string?)problem["detail"], StringComparison.Ordinal);
        await AccountChanges.AssertSessionAliveAsync(organization.Owner);
    }

    [Fact]
    public async Task KeyRotation_KeepsTheMembersOrganizationKeyAndMembership()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddMemberAsync();
        var key = organization.StoredMember(memberId)!.Key;
        var rotation = KeyRotationTests.Rotation(member, new KeyRotationTests.Vault([], [], ""));

        using (var response = await member.Client.PostJsonAsync(AccountChanges.RotateUrl, rotation.Body))
        {
            await response.ExpectStatusAsync(HttpStatusCode.OK);
        }

        var stored = organization.StoredMember(memberId)!;
        Assert.Equal(MembershipStatus.Confirmed, stored.Status);
        Assert.Equal(key, stored.Key);
        var again = await TestAccount.LoginAsync(factory, member.Credentials);
        using var profile = await again.Client.GetAsync("/api/accounts/profile");
        var entry = Assert.Single((await profile.ExpectObjectAsync()).RequireArray("organizations"))!;
        Assert.Equal(key, (string?)entry["key"]);
        using var publicKey = await again.Client.GetAsync(organization.Url("/public-key"));
        await publicKey.ExpectObjectAsync();
    }

    [Fact]
    public async Task OrganizationEvents_ListWhatHappenedToTheOrganization_InBitwardensShape()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddMemberAsync();

        using var response = await organization.Owner.Client.GetAsync(organization.Url("/events"));

        var page = await response.ExpectObjectAsync();
        Assert.Equal("list", (string?)page["object"]);
        var events = page.RequireArray("data").Select(e => e!.AsObject()).ToList();
        Assert.All(events, e => Assert.Equal(organization.Id.ToString(), (string?)e["organizationId"]));
        Assert.Equal(
            [(int)EventType.MemberConfirmed, (int)EventType.MemberInvited, (int)EventType.CollectionCreated, (int)EventType.OrganizationCreated],
            events.Select(e => (int)e["type"]!));
        var confirmed = events[0];
        Assert.Equal(memberId.ToString(), (string?)confirmed["organizationUserId"]);
        Assert.Equal(member.UserId, (string?)confirmed["userId"]);
        Assert.Equal(organization.Owner.UserId, (string?)confirmed["actingUserId"]);
    }

    [Fact]
    public async Task MemberEvents_ListOnlyThatMembersEvents()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (_, memberId) = await organization.AddMemberAsync();
        await organization.AddMemberAsync();

        var now = factory.Clock.GetUtcNow();
        var range = $"start={now.AddDays(-1):yyyy-MM-ddTHH:mm:ssZ}&end={now.AddDays(1):yyyy-MM-ddTHH:mm:ssZ}";

        using var response = await organization.Owner.Client.GetAsync(organization.Url($"/users/{memberId}/events?{range}"));

        var events = (await response.ExpectObjectAsync()).RequireArray("data");
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Equal(memberId.ToString(), (string?)e!["organizationUserId"]));
    }

    [Theory]
    [InlineData("admin", HttpStatusCode.OK)]
    [InlineData("custom", HttpStatusCode.BadRequest)]
    [InlineData("user", HttpStatusCode.BadRequest)]
    [InlineData("accepted-owner", HttpStatusCode.NotFound)]
    [InlineData("outsider", HttpStatusCode.NotFound)]
    public async Task OrganizationEvents_ByRole(string role, HttpStatusCode expected)
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var caller = await organization.MemberAsAsync(role);

        using var response = await caller.Client.GetAsync(organization.Url("/events"));

        if (expected == HttpStatusCode.OK)
        {
            await response.ExpectObjectAsync();
        }
        else
        {
            await response.ExpectBitwardenErrorAsync(expected);
        }
    }

    [Fact]
    public async Task OrganizationEvents_ByACustomMemberWithAccessEventLogs_Answers()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (auditor, _) = await organization.AddMemberAsync(type: 4, permissions: new JsonObject { ["accessEventLogs"] = true });

        using var response = await auditor.Client.GetAsync(organization.Url("/events"));

        Assert.NotEmpty((await response.ExpectObjectAsync()).RequireArray("data"));
    }
}
