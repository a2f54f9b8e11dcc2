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
/// <c>/api/organizations/{orgId}/policies…</c> (doc §1.6): who reads and writes them, that every type is stored
/// with its data, and what the server enforces when a policy is turned on (<see cref="PolicyEnforcement"/>).
/// </summary>
public sealed class PolicyTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    internal static Task<HttpResponseMessage> PutPolicyAsync(TestOrganization organization, int type, bool enabled, JsonObject? data = null, TestAccount? by = null) =>
        (by ?? organization.Owner).Client.PutJsonAsync(organization.Url($"/policies/{type}"), new JsonObject { ["enabled"] = enabled, ["data"] = data });

    internal static async Task<JsonObject> EnablePolicyAsync(TestOrganization organization, PolicyType type, JsonObject? data = null)
    {
        using var response = await PutPolicyAsync(organization, (int)type, true, data);
        return await response.ExpectObjectAsync();
    }

    internal static async Task<JsonArray> ProfileOrganizationsAsync(TestAccount account)
    {
        using var response = await account.Client.GetAsync("/api/accounts/profile");
        return (await response.ExpectObjectAsync()).RequireArray("organizations");
    }

    [Fact]
    public async Task PutPolicy_AsOwner_StoresItAndEveryConfirmedMemberReadsIt()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, _) = await organization.AddMemberAsync();
        var data = new JsonObject { ["minComplexity"] = 3, ["minLength"] = 14, ["requireUpper"] = true, ["enforceOnLogin"] = false };

        var saved = await EnablePolicyAsync(organization, PolicyType.MasterPassword, data);

        Assert.Equal("policy", (string?)saved["object"]);
        Assert.Equal(1, (int?)saved["type"]);
        Assert.True((bool?)saved["enabled"]);
        Assert.True(JsonNode.DeepEquals(data, saved["data"]));
        using var list = await member.Client.GetAsync(organization.Url("/policies"));
        var listed = Assert.IsType<JsonObject>(Assert.Single((await list.ExpectObjectAsync()).RequireArray("data")));
        Assert.Equal(saved.RequireString("id"), listed.RequireString("id"));
        Assert.True(JsonNode.DeepEquals(data, listed["data"]));
        using var one = await member.Client.GetAsync(organization.Url("/policies/1"));
        Assert.True(JsonNode.DeepEquals(data, (await one.ExpectObjectAsync())["data"]));
        using var masterPassword = await member.Client.GetAsync(organization.Url("/policies/master-password"));
        Assert.Equal(saved.RequireString("id"), (await masterPassword.ExpectObjectAsync()).RequireString("id"));
        var synced = (await member.SyncAsync()).RequireArray("policies").ById(saved.RequireString("id"));
        Assert.NotNull(synced);
        Assert.True(JsonNode.DeepEquals(data, synced["data"]));
    }

    [Fact]
    public async Task GetPolicy_NeverSet_AnswersDisabledAndMasterPasswordAnswers404()
    {
        var organization = await OrgHarness.CreateAsync(factory);

        using var response = await organization.Owner.Client.GetAsync(organization.Url("/policies/6"));
        var policy = await response.ExpectObjectAsync();

        Assert.Equal(6, (int?)policy["type"]);
        Assert.False((bool?)policy["enabled"]);
        Assert.True((bool?)policy["canToggleState"]);
        using var masterPassword = await organization.Owner.Client.GetAsync(organization.Url("/policies/master-password"));
        await masterPassword.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PutPolicy_EveryTypeTheClientsKnow_IsStoredWithItsData()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        await EnablePolicyAsync(organization, PolicyType.SingleOrg);

        foreach (var type in Enum.GetValues<PolicyType>().Where(t => t is not (PolicyType.RequireSso or PolicyType.ResetPassword)))
        {
            var data = new JsonObject { ["value"] = (int)type, ["text"] = type.ToString() };
            using var response = await PutPolicyAsync(organization, (int)type, true, data);
            var saved = await response.ExpectObjectAsync();
            Assert.True(JsonNode.DeepEquals(data, saved["data"]), type.ToString());
        }

        using var list = await organization.Owner.Client.GetAsync(organization.Url("/policies"));
        var types = (await list.ExpectObjectAsync()).RequireArray("data").Select(p => (int)p!["type"]!).Order().ToList();
        Assert.Equal(Enum.GetValues<PolicyType>().Select(t => (int)t).Where(t => t is not (4 or 8)).ToList(), types);
    }

    [Fact]
    public async Task PutPolicy_TwiceForOneType_KeepsOneRowAndItsId()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var first = await EnablePolicyAsync(organization, PolicyType.PasswordGenerator, new JsonObject { ["minLength"] = 12 });

        using var response = await PutPolicyAsync(organization, 2, false, new JsonObject { ["minLength"] = 20 });
        var second = await response.ExpectObjectAsync();

        Assert.Equal(first.RequireString("id"), second.RequireString("id"));
        Assert.False((bool?)second["enabled"]);
        Assert.Equal(20, (int?)second["data"]?["minLength"]);
    }

    [Fact]
    public async Task PutPolicy_VnextBody_IsUnwrapped()
    {
        var organization = await OrgHarness.CreateAsync(factory);

        using var response = await organization.Owner.Client.PutJsonAsync(organization.Url("/policies/10/vnext"), new JsonObject
        {
            ["policy"] = new JsonObject { ["enabled"] = true, ["data"] = null },
            ["metadata"] = new JsonObject { ["defaultUserCollectionName"] = Fake.EncString() },
        });

        var saved = await response.ExpectObjectAsync();
        Assert.Equal(10, (int?)saved["type"]);
        Assert.True((bool?)saved["enabled"]);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public async Task PutPolicy_AsUserOrCustomWithoutManagePolicies_Returns400AndChangesNothing(int type)
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, _) = await organization.AddMemberAsync(type, permissions: new JsonObject { ["manageUsers"] = true });

        using var response = await PutPolicyAsync(organization, 6, true, by: member);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        using var list = await organization.Owner.Client.GetAsync(organization.Url("/policies"));
        Assert.Empty((await list.ExpectObjectAsync()).RequireArray("data"));
    }

    [Fact]
    public async Task PutPolicy_AsCustomWithManagePolicies_Succeeds()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, _) = await organization.AddMemberAsync(4, permissions: new JsonObject { ["managePolicies"] = true });

        using var response = await PutPolicyAsync(organization, 6, true, by: member);

        Assert.True((bool?)(await response.ExpectObjectAsync())["enabled"]);
    }

    [Fact]
    public async Task PolicyRoutes_ForNonMemberAndAcceptedMember_Return404()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var outsider = await TestAccount.CreateAsync(factory);
        var (accepted, _) = await organization.AddAcceptedMemberAsync(type: 0);

        foreach (var caller in new[] { outsider, accepted })
        {
            using var list = await caller.Client.GetAsync(organization.Url("/policies"));
            await list.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
            using var one = await caller.Client.GetAsync(organization.Url("/policies/0"));
            await one.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
            using var put = await PutPolicyAsync(organization, 6, true, by: caller);
            await put.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        }
    }

    [Theory]
    [InlineData(23, "true")]
    [InlineData(-1, "true")]
    [InlineData(4, "true")]
    [InlineData(8, "true")]
    [InlineData(9, "true")]
    [InlineData(6, "null")]
    public async Task PutPolicy_UnknownTypeUnavailableFeatureMissingDependencyOrNoEnabled_Returns400(int type, string enabled)
    {
        var organization = await OrgHarness.CreateAsync(factory);

        using var response = await organization.Owner.Client.PutJsonAsync(organization.Url($"/policies/{type}"),
            new JsonObject { ["enabled"] = JsonNode.Parse(enabled), ["data"] = null });

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task PutPolicy_SingleOrgOff_WhileVaultTimeoutNeedsIt_Returns400()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        await EnablePolicyAsync(organization, PolicyType.SingleOrg);
        await EnablePolicyAsync(organization, PolicyType.MaximumVaultTimeout, new JsonObject { ["minutes"] = 60 });

        using var response = await PutPolicyAsync(organization, 3, false);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task PutPolicy_DataLargerThan4096Characters_Returns400()
    {
        var organization = await OrgHarness.CreateAsync(factory);

        using var response = await PutPolicyAsync(organization, 2, true, new JsonObject { ["x"] = new string('a', 5000) });

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task PutPolicy_IsAudited1700_AndBumpsEveryConfirmedMembersRevisionDate()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, _) = await organization.AddMemberAsync();
        var before = await member.RevisionDateAsync();

        var saved = await EnablePolicyAsync(organization, PolicyType.DisablePersonalVaultExport);

        Assert.True(await member.RevisionDateAsync() > before);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
        var policyId = Guid.Parse(saved.RequireString("id"));
        var audited = await db.AuditEvents.SingleAsync(e => e.PolicyId == policyId);
        Assert.Equal(1700, (int)audited.Type);
        Assert.Equal(organization.Id, audited.OrganizationId);
        Assert.Equal(Guid.Parse(organization.Owner.UserId), audited.ActingUserId);
    }

    [Fact]
    public async Task TwoFactorPolicy_Enabled_RevokesOnlyBoundMembersWithoutTwoStepLogin()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (without, withoutId) = await organization.AddMemberAsync();
        var (with, withId) = await organization.AddMemberAsync();
        await TwoFactorApi.EnableAsync(with);
        var (_, adminId) = await organization.AddMemberAsync(type: 1);
        var (_, acceptedId) = await organization.AddAcceptedMemberAsync();

        await EnablePolicyAsync(organization, PolicyType.TwoFactorAuthentication);

        Assert.Equal(MembershipStatus.Revoked, organization.StoredMember(withoutId)!.Status);
        Assert.Equal(MembershipStatus.Confirmed, organization.StoredMember(withoutId)!.StatusBeforeRevoke);
        Assert.Equal(MembershipStatus.Revoked, organization.StoredMember(acceptedId)!.Status);
        Assert.Equal(MembershipStatus.Confirmed, organization.StoredMember(withId)!.Status);
        Assert.Equal(MembershipStatus.Confirmed, organization.StoredMember(adminId)!.Status);
        Assert.Equal(MembershipStatus.Confirmed, organization.StoredMember(organization.OwnerMemberId)!.Status);
        Assert.Empty(await ProfileOrganizationsAsync(without));
        Assert.Single(await ProfileOrganizationsAsync(with));
    }

    [Fact]
    public async Task TwoFactorPolicy_MemberTurnsTwoStepLoginOff_IsRevoked()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddMemberAsync();
        await TwoFactorApi.EnableAsync(member);
        await EnablePolicyAsync(organization, PolicyType.TwoFactorAuthentication);
        Assert.Equal(MembershipStatus.Confirmed, organization.StoredMember(memberId)!.Status);

        using var response = await member.Client.PutJsonAsync("/api/two-factor/disable", new JsonObject
        {
            ["type"] = 0,
            ["masterPasswordHash"] = member.Credentials.MasterPasswordHash,
        });

        await response.ExpectSuccessAsync();
        Assert.Equal(MembershipStatus.Revoked, organization.StoredMember(memberId)!.Status);
    }

    [Fact]
    public async Task SingleOrgPolicy_Enabled_RevokesBoundMembersWhoBelongToAnotherOrganization()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (elsewhere, elsewhereId) = await organization.AddMemberAsync();
        var (_, onlyHereId) = await organization.AddMemberAsync();
        var (adminElsewhere, adminId) = await organization.AddMemberAsync(type: 1);
        await OrgHarness.CreateAsync(elsewhere);
        await OrgHarness.CreateAsync(adminElsewhere);

        await EnablePolicyAsync(organization, PolicyType.SingleOrg);

        Assert.Equal(MembershipStatus.Revoked, organization.StoredMember(elsewhereId)!.Status);
        Assert.Equal(MembershipStatus.Confirmed, organization.StoredMember(onlyHereId)!.Status);
        Assert.Equal(MembershipStatus.Confirmed, organization.StoredMember(adminId)!.Status);
    }

    [Fact]
    public async Task SingleOrgPolicy_BoundMember_CannotCreateAnOrganization_ButAnAdminOfItCan()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, _) = await organization.AddMemberAsync();
        var (admin, _) = await organization.AddMemberAsync(type: 1);
        await EnablePolicyAsync(organization, PolicyType.SingleOrg);

        using var refused = await member.Client.PostJsonAsync("/api/organizations", OrgHarness.CreateBody(member, new byte[64]));
        var error = await refused.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);

        Assert.Contains(PolicyEnforcement.CreateForbidden, error.ToJsonString(), StringComparison.Ordinal);
        await OrgHarness.CreateAsync(admin);
    }

    [Fact]
    public async Task DataOwnershipPolicy_BoundMember_CannotCreatePersonalItems_ButAnAdminCan()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, _) = await organization.AddMemberAsync();
        var (admin, _) = await organization.AddMemberAsync(type: 1);
        await EnablePolicyAsync(organization, PolicyType.OrganizationDataOwnership);

        using var refused = await member.Client.PostJsonAsync("/api/ciphers", Payloads.LoginCipher());
        var error = await refused.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);

        Assert.Contains(PolicyEnforcement.PersonalItemForbidden, error.ToJsonString(), StringComparison.Ordinal);
        Assert.Empty((await member.SyncAsync()).RequireArray("ciphers"));
        await admin.CreateCipherAsync();
    }

    [Fact]
    public async Task DataOwnershipPolicy_Disabled_AllowsPersonalItemsAgain()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, _) = await organization.AddMemberAsync();
        await EnablePolicyAsync(organization, PolicyType.OrganizationDataOwnership);
        using (var off = await PutPolicyAsync(organization, 5, false))
        {
            await off.ExpectSuccessAsync();
        }

        await member.CreateCipherAsync();
    }
}
