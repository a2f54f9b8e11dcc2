using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Data;
using Coffer.Server.Organizations;
using Coffer.Server.Tests.Infrastructure;
using Coffer.Server.Tests.TwoFactor;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Organizations;

/// <summary>
/// Advisory T11 (doc §9.6; GHSA-88qc-6ch9-mc3j, Vaultwarden 1.37.0): a directory import could add members that violate
/// the SingleOrg and two-step login policies. Coffer has no directory import and no public API: the only ways into an
/// organization's data are invite (then accept, which registration and existing accounts do at once), confirm and
/// restore, so these tests walk exactly those. Only a Confirmed membership grants anything, so confirm and restore are
/// where a member who does not comply is stopped, whatever route brought them in.
/// </summary>
public sealed class T11_PolicyBypassTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    private static async Task<HttpResponseMessage> ConfirmRequestAsync(TestOrganization organization, Guid memberId, TestAccount member) =>
        await organization.Owner.Client.PostJsonAsync(organization.Url($"/users/{memberId}/confirm"),
            new JsonObject { ["key"] = OrgHarness.Wrap(organization.Key, member.Credentials.PublicKey), ["defaultUserCollectionName"] = Fake.EncString() });

    private static async Task ExpectRefusedAsync(HttpResponseMessage response, string message)
    {
        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Contains(message, error.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Confirm_OfAMemberWithoutTwoStepLogin_WhenTheOrganizationRequiresIt_IsRefused()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        await PolicyTests.EnablePolicyAsync(organization, PolicyType.TwoFactorAuthentication);
        var (member, memberId) = await organization.AddAcceptedMemberAsync();

        using var response = await ConfirmRequestAsync(organization, memberId, member);

        await ExpectRefusedAsync(response, PolicyEnforcement.TwoFactorRequired);
        Assert.Equal(MembershipStatus.Accepted, organization.StoredMember(memberId)!.Status);
        Assert.Empty(await PolicyTests.ProfileOrganizationsAsync(member));
    }

    [Fact]
    public async Task Confirm_OfAMemberWithTwoStepLogin_WhenTheOrganizationRequiresIt_Succeeds()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        await PolicyTests.EnablePolicyAsync(organization, PolicyType.TwoFactorAuthentication);
        var (member, memberId) = await organization.AddAcceptedMemberAsync();
        await TwoFactorApi.EnableAsync(member);

        await organization.ConfirmAsync(memberId, member);

        Assert.Equal(MembershipStatus.Confirmed, organization.StoredMember(memberId)!.Status);
    }

    [Fact]
    public async Task Confirm_OfAnAdminWithoutTwoStepLogin_IsNotBoundByThePolicy()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        await PolicyTests.EnablePolicyAsync(organization, PolicyType.TwoFactorAuthentication);

        var (_, adminId) = await organization.AddMemberAsync(type: 1);

        Assert.Equal(MembershipStatus.Confirmed, organization.StoredMember(adminId)!.Status);
    }

    [Fact]
    public async Task Confirm_OfAMemberOfAnotherOrganization_WhenSingleOrgIsOn_IsRefused()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        await PolicyTests.EnablePolicyAsync(organization, PolicyType.SingleOrg);
        var member = await TestAccount.CreateAsync(factory);
        await OrgHarness.CreateAsync(member);
        var memberId = Guid.Parse((await organization.InviteAsync(member.Email)).RequireString("id"));

        using var response = await ConfirmRequestAsync(organization, memberId, member);

        await ExpectRefusedAsync(response, PolicyEnforcement.LeaveOthersFirst);
        Assert.Equal(MembershipStatus.Accepted, organization.StoredMember(memberId)!.Status);
    }

    /// <summary>A member of an organization with SingleOrg on, invited (and so Accepted) into another organization.</summary>
    private async Task<(TestAccount Member, TestOrganization Other, JsonObject Invitation)> InvitedWhileBoundElsewhereAsync()
    {
        var strict = await OrgHarness.CreateAsync(factory);
        var (member, _) = await strict.AddMemberAsync();
        await PolicyTests.EnablePolicyAsync(strict, PolicyType.SingleOrg);
        var other = await OrgHarness.CreateAsync(factory);
        return (member, other, await other.InviteAsync(member.Email));
    }

    [Fact]
    public async Task Confirm_OfAMemberBoundBySingleOrgElsewhere_IsRefused()
    {
        var (member, other, invitation) = await InvitedWhileBoundElsewhereAsync();
        var memberId = Guid.Parse(invitation.RequireString("id"));

        using var response = await ConfirmRequestAsync(other, memberId, member);

        await ExpectRefusedAsync(response, PolicyEnforcement.BoundElsewhere);
        Assert.NotEqual(MembershipStatus.Confirmed, other.StoredMember(memberId)!.Status);
    }

    [Fact]
    public async Task Accept_WithTheInvitationToken_ByAUserBoundBySingleOrgElsewhere_IsRefused()
    {
        var (member, other, invitation) = await InvitedWhileBoundElsewhereAsync();
        var memberId = Guid.Parse(invitation.RequireString("id"));
        // As the web vault's invitation link finds it: still Invited, the account not yet bound to it.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
            await db.Memberships.Where(m => m.Id == memberId).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, MembershipStatus.Invited).SetProperty(m => m.UserId, (Guid?)null));
        }

        var token = System.Web.HttpUtility.ParseQueryString(new Uri(invitation.RequireString("invitationUrl").Replace("/#/", "/", StringComparison.Ordinal)).Query)["token"];
        using var response = await member.Client.PostJsonAsync(other.Url($"/users/{memberId}/accept"), new JsonObject { ["token"] = token });

        await ExpectRefusedAsync(response, PolicyEnforcement.BoundElsewhere);
        Assert.Equal(MembershipStatus.Invited, other.StoredMember(memberId)!.Status);
    }

    [Fact]
    public async Task BulkConfirm_ConfirmsCompliantMembersAndReportsTheOthers()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        await PolicyTests.EnablePolicyAsync(organization, PolicyType.TwoFactorAuthentication);
        var (without, withoutId) = await organization.AddAcceptedMemberAsync();
        var (with, withId) = await organization.AddAcceptedMemberAsync();
        await TwoFactorApi.EnableAsync(with);

        using var response = await organization.Owner.Client.PostJsonAsync(organization.Url("/users/confirm"), new JsonObject
        {
            ["keys"] = new JsonArray(
                new JsonObject { ["id"] = withoutId.ToString(), ["key"] = OrgHarness.Wrap(organization.Key, without.Credentials.PublicKey) },
                new JsonObject { ["id"] = withId.ToString(), ["key"] = OrgHarness.Wrap(organization.Key, with.Credentials.PublicKey) }),
            ["defaultUserCollectionName"] = Fake.EncString(),
        });

        var results = (await response.ExpectObjectAsync()).RequireArray("data");
        Assert.Equal(PolicyEnforcement.TwoFactorRequired, (string?)results.ById(withoutId.ToString())?["error"]);
        Assert.Equal("", (string?)results.ById(withId.ToString())?["error"]);
        Assert.Equal(MembershipStatus.Accepted, organization.StoredMember(withoutId)!.Status);
        Assert.Equal(MembershipStatus.Confirmed, organization.StoredMember(withId)!.Status);
    }

    [Fact]
    public async Task Restore_OfAMemberRevokedByTheTwoStepLoginPolicy_IsRefusedUntilTheyTurnItOn()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddMemberAsync();
        await PolicyTests.EnablePolicyAsync(organization, PolicyType.TwoFactorAuthentication);
        Assert.Equal(MembershipStatus.Revoked, organization.StoredMember(memberId)!.Status);

        using (var refused = await organization.Owner.Client.PutJsonAsync(organization.Url($"/users/{memberId}/restore"), null))
        {
            await ExpectRefusedAsync(refused, PolicyEnforcement.TwoFactorRequired);
        }

        Assert.Equal(MembershipStatus.Revoked, organization.StoredMember(memberId)!.Status);
        await TwoFactorApi.EnableAsync(member);
        using (var restored = await organization.Owner.Client.PutJsonAsync(organization.Url($"/users/{memberId}/restore"), null))
        {
            await restored.ExpectSuccessAsync();
        }

        Assert.Equal(MembershipStatus.Confirmed, organization.StoredMember(memberId)!.Status);
        Assert.Single(await PolicyTests.ProfileOrganizationsAsync(member));
    }

    [Fact]
    public async Task Restore_OfAMemberRevokedBySingleOrg_IsRefusedWhileTheyBelongElsewhere()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddMemberAsync();
        var own = await OrgHarness.CreateAsync(member);
        await PolicyTests.EnablePolicyAsync(organization, PolicyType.SingleOrg);

        using (var refused = await organization.Owner.Client.PutJsonAsync(organization.Url($"/users/{memberId}/restore"), null))
        {
            await ExpectRefusedAsync(refused, PolicyEnforcement.LeaveOthersFirst);
        }

        using (var delete = await member.Client.SendJsonAsync(HttpMethod.Delete, own.Url(), new JsonObject { ["masterPasswordHash"] = member.Credentials.MasterPasswordHash }))
        {
            await delete.ExpectSuccessAsync();
        }

        using var restored = await organization.Owner.Client.PutJsonAsync(organization.Url($"/users/{memberId}/restore"), null);
        await restored.ExpectSuccessAsync();
        Assert.Equal(MembershipStatus.Confirmed, organization.StoredMember(memberId)!.Status);
    }

    [Fact]
    public async Task RegistrationWithAPendingInvitation_ToAnOrganizationRequiringTwoStepLogin_GrantsNothingUntilConfirmable()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        await PolicyTests.EnablePolicyAsync(organization, PolicyType.TwoFactorAuthentication);
        var credentials = Credentials.New();
        var invitation = await organization.InviteAsync(credentials.Email);
        var memberId = Guid.Parse(invitation.RequireString("id"));
        await IdentityApi.RegisterAsync(factory.CreateClient(), credentials);
        var member = await TestAccount.LoginAsync(factory, credentials);

        using var response = await ConfirmRequestAsync(organization, memberId, member);

        await ExpectRefusedAsync(response, PolicyEnforcement.TwoFactorRequired);
        Assert.NotEqual(MembershipStatus.Confirmed, organization.StoredMember(memberId)!.Status);
        Assert.Empty((await member.SyncAsync()).RequireArray("collections"));
    }
}
