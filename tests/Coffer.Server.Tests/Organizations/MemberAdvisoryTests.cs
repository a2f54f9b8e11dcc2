using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Organizations;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Organizations;

/// <summary>
/// The organization and member parts of Vaultwarden's advisories (<c>bitwarden-organizations.md</c> §9.6): T0, T2,
/// T7 (organization deletion and member management; purge is tested with the item routes), T13 (membership part), T14.
/// </summary>
public sealed class MemberAdvisoryTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    /// <summary>Every organization and member route, with a body each accepts, for a member id <c>{m}</c>.</summary>
    public static TheoryData<string, string> Routes() => new()
    {
        { "GET", "" }, { "PUT", "" }, { "POST", "" }, { "DELETE", "" }, { "POST", "/delete" }, { "POST", "/leave" },
        { "GET", "/public-key" }, { "GET", "/keys" }, { "POST", "/keys" },
        { "GET", "/billing/metadata" }, { "GET", "/billing/vnext/warnings" }, { "GET", "/billing/vnext/self-host/metadata" },
        { "GET", "/users" }, { "GET", "/users/mini-details" }, { "GET", "/users/{m}" }, { "POST", "/users/invite" },
        { "POST", "/users/reinvite" }, { "POST", "/users/{m}/reinvite" }, { "POST", "/users/public-keys" },
        { "POST", "/users/{m}/confirm" }, { "POST", "/users/confirm" }, { "PUT", "/users/{m}" }, { "POST", "/users/{m}" },
        { "PUT", "/users/{m}/revoke" }, { "PUT", "/users/{m}/restore" }, { "PUT", "/users/revoke" }, { "PUT", "/users/restore" },
        { "DELETE", "/users/{m}" }, { "POST", "/users/{m}/delete" }, { "DELETE", "/users" }, { "POST", "/users/delete" },
        { "GET", "/events" }, { "GET", "/users/{m}/events" },
    };

    /// <summary>The routes that take a member id, for foreign-id tests.</summary>
    public static TheoryData<string, string> MemberRoutes()
    {
        var data = new TheoryData<string, string>();
        foreach (var row in Routes())
        {
            if (((string)row[1]).Contains("{m}", StringComparison.Ordinal))
            {
                data.Add((string)row[0], (string)row[1]);
            }
        }

        return data;
    }

    [Theory]
    [InlineData("")]
    [InlineData("/public-key")]
    [InlineData("/keys")]
    [InlineData("/users")]
    [InlineData("/users/mini-details")]
    public async Task T0_NonMember_ReadsNothingOfAnOrganization(string path)
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var outsider = await TestAccount.CreateAsync(factory);

        using var response = await outsider.Client.GetAsync(organization.Url(path));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task T0_Member_GetsOnlyThePublicKey_FromKeys()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, _) = await organization.AddMemberAsync();

        using var response = await member.Client.GetAsync(organization.Url("/keys"));

        var keys = await response.ExpectObjectAsync();
        Assert.Equal(["publicKey", "object"], keys.Select(p => p.Key));
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task T2_OwnerOfAnotherOrganization_GetsNotFound_OnEveryOrganizationAndMemberRoute(string method, string path)
    {
        var mine = await OrgHarness.CreateAsync(factory);
        var target = await OrgHarness.CreateAsync(factory);
        var (_, targetMember) = await target.AddAcceptedMemberAsync();

        using var response = await Send(mine.Owner, method, target.Url(path.Replace("{m}", targetMember.ToString(), StringComparison.Ordinal)), Body(mine, path, targetMember));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        Assert.Equal(MembershipStatus.Accepted, target.StoredMember(targetMember)!.Status);
        Assert.NotNull(await AccountChanges.QueryAsync(factory, db => db.Organizations.FindAsync(target.Id).AsTask()));
    }

    [Theory]
    [MemberData(nameof(MemberRoutes))]
    public async Task T2_MemberIdOfAnotherOrganization_InTheOwnOrganizationsRoute_Returns404(string method, string path)
    {
        var mine = await OrgHarness.CreateAsync(factory);
        var other = await OrgHarness.CreateAsync(factory);
        var (_, foreign) = await other.AddAcceptedMemberAsync();

        using var response = await Send(mine.Owner, method, mine.Url(path.Replace("{m}", foreign.ToString(), StringComparison.Ordinal)), Body(mine, path, foreign));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        Assert.Equal(MembershipStatus.Accepted, other.StoredMember(foreign)!.Status);
    }

    [Theory]
    [InlineData("invited-owner", "DELETE", "")]
    [InlineData("accepted-owner", "DELETE", "")]
    [InlineData("accepted-owner", "POST", "/delete")]
    [InlineData("invited-owner", "POST", "/users/invite")]
    [InlineData("accepted-owner", "POST", "/users/invite")]
    [InlineData("accepted-owner", "GET", "/users")]
    [InlineData("accepted-owner", "PUT", "/users/{m}")]
    [InlineData("accepted-owner", "PUT", "/users/{m}/revoke")]
    [InlineData("invited-owner", "DELETE", "/users/{m}")]
    [InlineData("accepted-owner", "POST", "/users/{m}/confirm")]
    [InlineData("revoked-owner", "DELETE", "")]
    [InlineData("revoked-owner", "DELETE", "/users/{m}")]
    public async Task T7_UnconfirmedOwner_CannotDeleteTheOrganizationOrManageMembers(string role, string method, string path)
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var caller = await organization.MemberAsAsync(role);
        var (_, target) = await organization.AddAcceptedMemberAsync();

        using var response = await Send(caller, method, organization.Url(path.Replace("{m}", target.ToString(), StringComparison.Ordinal)), Body(organization, path, target, caller));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        Assert.Equal(MembershipStatus.Accepted, organization.StoredMember(target)!.Status);
        Assert.NotNull(await AccountChanges.QueryAsync(factory, db => db.Organizations.FindAsync(organization.Id).AsTask()));
    }

    [Fact]
    public async Task T13_AcceptedMemberWithCollectionAccess_HasNoOrganizationInItsProfile()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, _) = await organization.AddAcceptedMemberAsync(collections: [OrgHarness.Access(organization.FirstCollectionId!.Value, manage: true)]);

        using var profile = await member.Client.GetAsync("/api/accounts/profile");
        using var miniDetails = await member.Client.GetAsync(organization.Url("/users/mini-details"));

        Assert.Empty((await profile.ExpectObjectAsync()).RequireArray("organizations"));
        await miniDetails.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task T14_RefreshToken_AfterSecurityStampRotation_IsRefused_AndTheOldAccessTokenReachesNoOrganizationRoute()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, _) = await organization.AddMemberAsync();

        using (var rotate = await member.Client.PostJsonAsync(AccountChanges.SecurityStampUrl, AccountChanges.Secret(member.Credentials.MasterPasswordHash)))
        {
            await rotate.ExpectStatusAsync(HttpStatusCode.OK);
        }

        using var refresh = await IdentityApi.RefreshAsync(factory.Anonymous(), member.RefreshToken);
        var error = await refresh.ExpectObjectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_grant", (string?)error["error"]);
        using var route = await member.Client.GetAsync(organization.Url("/public-key"));
        await route.ExpectStatusAsync(HttpStatusCode.Unauthorized);
    }

    private static Task<HttpResponseMessage> Send(TestAccount caller, string method, string url, JsonNode? body) =>
        method == "GET" ? caller.Client.GetAsync(url) : caller.Client.SendJsonAsync(new HttpMethod(method), url, body);

    /// <summary>A body the route would accept from an entitled caller, so that only authorization can refuse it.</summary>
    private static JsonObject Body(TestOrganization organization, string path, Guid memberId, TestAccount? caller = null)
    {
        var ids = new JsonObject { ["ids"] = new JsonArray(memberId.ToString()) };
        return path switch
        {
            "" or "/delete" when caller is not null => AccountChanges.Secret(caller.Credentials.MasterPasswordHash),
            "" or "/delete" => AccountChanges.Secret(organization.Owner.Credentials.MasterPasswordHash),
            "/keys" => new JsonObject { ["publicKey"] = Fake.PublicKey, ["encryptedPrivateKey"] = Fake.EncString() },
            "/users/invite" => new JsonObject { ["emails"] = new JsonArray(Fake.Email()), ["type"] = 2, ["collections"] = new JsonArray() },
            "/users/{m}/confirm" => new JsonObject { ["key"] = OrgHarness.Wrap(organization.Key, Fake.PublicKey) },
            "/users/confirm" => new JsonObject { ["keys"] = new JsonArray(new JsonObject { ["id"] = memberId.ToString(), ["key"] = OrgHarness.Wrap(organization.Key, Fake.PublicKey) }) },
            "/users/{m}" => new JsonObject { ["type"] = 2, ["collections"] = new JsonArray() },
            _ => ids,
        };
    }
}
