using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Organizations;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Organizations;

/// <summary>
/// Invitation links, accept and registration (<c>bitwarden-organizations.md</c> §4.2, §4.3, pitfall P18): without an
/// e-mail transport an existing account is Accepted at once and a new address when it registers.
/// </summary>
public sealed class MemberInvitationTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Invite_AnswersTheLinkTheWebVaultNeeds(bool existingUser)
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var email = existingUser ? (await TestAccount.CreateAsync(factory)).Email : Fake.Email();

        var invitation = await organization.InviteAsync(email);

        Assert.Equal(existingUser ? 1 : 0, (int?)invitation["status"]);
        var link = invitation.RequireString("invitationUrl");
        Assert.StartsWith("https://localhost/#/accept-organization/?", link, StringComparison.Ordinal);
        var query = Query(link);
        Assert.Equal(email, query["email"]);
        Assert.Equal("Acme", query["organizationName"]);
        Assert.Equal(organization.Id.ToString(), query["organizationId"]);
        Assert.Equal(invitation.RequireString("id"), query["organizationUserId"]);
        Assert.Equal("false", query["initOrganization"]);
        Assert.Equal(existingUser ? "true" : "false", query["orgUserHasExistingUser"]);
        Assert.False(string.IsNullOrEmpty(query["token"]));
    }

    [Fact]
    public async Task Register_WithAnInvitedAddress_AcceptsTheInvitation_ThenTheOwnerConfirms()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var credentials = Credentials.New();
        var memberId = Guid.Parse((await organization.InviteAsync(credentials.Email.ToUpperInvariant())).RequireString("id"));
        Assert.Equal(MembershipStatus.Invited, organization.StoredMember(memberId)!.Status);

        await IdentityApi.RegisterAsync(factory.Anonymous(), credentials);

        var accepted = organization.StoredMember(memberId)!;
        Assert.Equal(MembershipStatus.Accepted, accepted.Status);
        Assert.NotNull(accepted.UserId);
        var account = await LoginAsync(credentials);
        await organization.ConfirmAsync(memberId, account);
        Assert.Equal(MembershipStatus.Confirmed, organization.StoredMember(memberId)!.Status);
    }

    [Fact]
    public async Task RegisterFinish_WithTheOrganizationInviteToken_NeedsNoVerificationToken()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var credentials = Credentials.New();
        var invitation = await organization.InviteAsync(credentials.Email);
        var body = Payloads.RegisterFinish(credentials, null);
        body["orgInviteToken"] = Query(invitation.RequireString("invitationUrl"))["token"];
        body["organizationUserId"] = invitation.RequireString("id");

        using var response = await factory.Anonymous().PostJsonAsync(IdentityApi.RegisterFinishUrl, body);

        await response.ExpectJsonAsync();
        Assert.Equal(MembershipStatus.Accepted, organization.StoredMember(Guid.Parse(invitation.RequireString("id")))!.Status);
    }

    [Fact]
    public async Task RegisterFinish_WithAnInviteTokenForAnotherAddress_IsRefused()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var invitation = await organization.InviteAsync(Fake.Email());
        var body = Payloads.RegisterFinish(Credentials.New(), null);
        body["orgInviteToken"] = Query(invitation.RequireString("invitationUrl"))["token"];

        using var response = await factory.Anonymous().PostJsonAsync(IdentityApi.RegisterFinishUrl, body);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Accept_OfAnInvitedMembership_WithItsToken_MakesItAccepted()
    {
        var (organization, account, memberId, token) = await PendingInvitationAsync();

        using var response = await Accept(account, organization, memberId, token);

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        var membership = organization.StoredMember(memberId)!;
        Assert.Equal(MembershipStatus.Accepted, membership.Status);
        Assert.Equal(Guid.Parse(account.UserId), membership.UserId);
    }

    [Fact]
    public async Task Accept_OfAMembershipCofferAlreadyAccepted_Answers200()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var account = await TestAccount.CreateAsync(factory);
        var invitation = await organization.InviteAsync(account.Email);

        using var response = await Accept(account, organization, Guid.Parse(invitation.RequireString("id")), Query(invitation.RequireString("invitationUrl"))["token"]!);

        await response.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Accept_ByAnotherAccount_Returns400()
    {
        var (organization, _, memberId, token) = await PendingInvitationAsync();
        var other = await TestAccount.CreateAsync(factory);

        using var response = await Accept(other, organization, memberId, token);

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Contains("different account", (string?)error["message"], StringComparison.Ordinal);
        Assert.Equal(MembershipStatus.Invited, organization.StoredMember(memberId)!.Status);
    }

    [Fact]
    public async Task Accept_WithTheTokenOfAnotherMember_Returns400()
    {
        var (organization, account, memberId, _) = await PendingInvitationAsync();
        var otherToken = Query((await organization.InviteAsync(Fake.Email())).RequireString("invitationUrl"))["token"]!;

        using var response = await Accept(account, organization, memberId, otherToken);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal(MembershipStatus.Invited, organization.StoredMember(memberId)!.Status);
    }

    [Fact]
    public async Task Accept_WithTheTokenOfAnotherOrganization_Returns400()
    {
        var (organization, account, memberId, _) = await PendingInvitationAsync();
        var other = await OrgHarness.CreateAsync(factory);
        var otherInvitation = await other.InviteAsync(account.Email);
        var otherToken = Query(otherInvitation.RequireString("invitationUrl"))["token"]!;

        using var wrongOrganization = await Accept(account, organization, memberId, otherToken);
        using var wrongUrl = await account.Client.PostJsonAsync(organization.Url($"/users/{otherInvitation.RequireString("id")}/accept"), new JsonObject { ["token"] = otherToken });

        await wrongOrganization.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        await wrongUrl.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        Assert.Equal(MembershipStatus.Invited, organization.StoredMember(memberId)!.Status);
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    [InlineData("empty")]
    [InlineData("garbage")]
    public async Task Accept_WithATamperedToken_Returns400(string defect)
    {
        var (organization, account, memberId, token) = await PendingInvitationAsync();
        var bad = defect switch
        {
            "flip" => token[..5] + (token[5] == 'A' ? 'B' : 'A') + token[6..],
            "truncate" => token[..^2],
            "empty" => "",
            _ => "a.b.c",
        };

        using var response = await Accept(account, organization, memberId, bad);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal(MembershipStatus.Invited, organization.StoredMember(memberId)!.Status);
    }

    [Fact]
    public async Task Accept_AfterTheTokenExpired_Returns400()
    {
        await using var own = new CofferFactory();
        var organization = await OrgHarness.CreateAsync(own);
        var credentials = Credentials.New();
        var invitation = await organization.InviteAsync(credentials.Email);
        own.Clock.Advance(OrganizationInvitations.Lifetime + TimeSpan.FromMinutes(1));
        await IdentityApi.RegisterAsync(own.Anonymous(), credentials);
        var account = await LoginAsync(credentials, own);

        using var response = await Accept(account, organization, Guid.Parse(invitation.RequireString("id")), Query(invitation.RequireString("invitationUrl"))["token"]!);

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Contains("expired", (string?)error["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accept_OfAConfirmedMembership_Returns400()
    {
        var (organization, account, memberId, token) = await PendingInvitationAsync();
        await organization.SetStatusAsync(memberId, MembershipStatus.Confirmed);

        using var response = await Accept(account, organization, memberId, token);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Reinvite_OfAnAddressThatRegisteredSince_AcceptsIt_AndGivesAFreshLink()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (account, memberId, _) = await InvitedAccountAsync(organization);

        using var response = await organization.Owner.Client.PostAsync(organization.Url($"/users/{memberId}/reinvite"), null);

        var invitation = await response.ExpectObjectAsync();
        Assert.Equal("true", Query(invitation.RequireString("invitationUrl"))["orgUserHasExistingUser"]);
        var membership = organization.StoredMember(memberId)!;
        Assert.Equal(MembershipStatus.Accepted, membership.Status);
        Assert.Equal(Guid.Parse(account.UserId), membership.UserId);
    }

    [Fact]
    public async Task Reinvite_OfAConfirmedMember_Returns400_AndInBulkReportsIt()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (_, memberId) = await organization.AddMemberAsync();
        var pending = await organization.InviteAsync(Fake.Email());

        using var single = await organization.Owner.Client.PostAsync(organization.Url($"/users/{memberId}/reinvite"), null);
        using var bulk = await organization.Owner.Client.PostJsonAsync(organization.Url("/users/reinvite"),
            new JsonObject { ["ids"] = new JsonArray(memberId.ToString(), pending.RequireString("id")) });

        await single.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        var results = (await bulk.ExpectObjectAsync()).RequireArray("data");
        Assert.NotEqual("", (string?)results.ById(memberId.ToString())!["error"]);
        Assert.Equal("", (string?)results.ById(pending.RequireString("id"))!["error"]);
    }

    /// <summary>An account whose membership is still Invited (as after an e-mail change), with its invitation token.</summary>
    private async Task<(TestOrganization Organization, TestAccount Account, Guid MemberId, string Token)> PendingInvitationAsync()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (account, memberId, token) = await InvitedAccountAsync(organization);
        return (organization, account, memberId, token);
    }

    private static async Task<(TestAccount Account, Guid MemberId, string Token)> InvitedAccountAsync(TestOrganization organization)
    {
        var account = await TestAccount.CreateAsync(organization.Factory);
        var invitation = await organization.InviteAsync(account.Email);
        var memberId = Guid.Parse(invitation.RequireString("id"));
        await AccountChanges.QueryAsync(organization.Factory, async db =>
        {
            var membership = db.Memberships.Single(m => m.Id == memberId);
            (membership.Status, membership.UserId) = (MembershipStatus.Invited, null);
            return await db.SaveChangesAsync();
        });
        return (account, memberId, Query(invitation.RequireString("invitationUrl"))["token"]!);
    }

    private static Task<HttpResponseMessage> Accept(TestAccount account, TestOrganization organization, Guid memberId, string token) =>
        account.Client.PostJsonAsync(organization.Url($"/users/{memberId}/accept"), new JsonObject { ["token"] = token, ["resetPasswordKey"] = null });

    private Task<TestAccount> LoginAsync(Credentials credentials, CofferFactory? on = null) => TestAccount.LoginAsync(on ?? factory, credentials);

    /// <summary>The query of the link's fragment route, decoded.</summary>
    private static Dictionary<string, string?> Query(string link)
    {
        var query = link[(link.IndexOf('?', StringComparison.Ordinal) + 1)..];
        return query.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => (string?)Uri.UnescapeDataString(p[1]));
    }
}
