using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Coffer.Server.Data;
using Coffer.Server.Organizations;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Organizations;

/// <summary>An organization made through <c>POST /api/organizations</c>, with the 64-byte key its owner generated.</summary>
public sealed record TestOrganization(TestAccount Owner, Guid Id, Guid OwnerMemberId, byte[] Key, Guid? FirstCollectionId)
{
    public CofferFactory Factory => Owner.Factory;

    /// <summary><c>/api/organizations/{Id}</c> followed by <paramref name="rest"/>.</summary>
    public string Url(string rest = "") => $"/api/organizations/{Id}{rest}";
}

/// <summary>
/// Shared setup for organization tests (SHARING.md): create an organization through the real route, invite, accept and
/// confirm members through the real member routes, and give them collections. Every account in the suite registers
/// with the same real RSA-2048 public key (<see cref="Fake.PublicKey"/>), so the organization key is really wrapped
/// with RSA-OAEP-SHA1 for each member (doc §2.2): well-formed type-4 strings, though no test holds the private key.
/// </summary>
public static class OrgHarness
{
    /// <summary>The key a client would wrap for <paramref name="publicKey"/>: <c>"4." + b64(RSA-OAEP-SHA1(pub, key))</c>.</summary>
    public static string Wrap(byte[] organizationKey, string publicKey)
    {
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(publicKey), out _);
        return "4." + Convert.ToBase64String(rsa.Encrypt(organizationKey, RSAEncryptionPadding.OaepSHA1));
    }

    /// <summary>The body the web vault posts (doc §2.3 (a)), with a new organization key wrapped for <paramref name="owner"/>.</summary>
    public static JsonObject CreateBody(TestAccount owner, byte[] organizationKey, string? name = "Acme", bool withCollection = true) => new()
    {
        ["name"] = name,
        ["billingEmail"] = owner.Email,
        ["planType"] = 0,
        ["key"] = Wrap(organizationKey, owner.Credentials.PublicKey),
        ["keys"] = new JsonObject { ["publicKey"] = Fake.PublicKey, ["encryptedPrivateKey"] = Fake.EncString() },
        ["collectionName"] = withCollection ? Fake.EncString() : null,
        ["initiationPath"] = "New organization creation in-product",
        ["useSecretsManager"] = false,
    };

    /// <summary>
    /// Creates an organization owned by <paramref name="owner"/> through <c>POST /api/organizations</c>; with
    /// <paramref name="withCollection"/> its first collection comes from <c>collectionName</c> (real route) and the
    /// owner may manage it.
    /// </summary>
    public static async Task<TestOrganization> CreateAsync(TestAccount owner, bool withCollection = true)
    {
        var key = RandomNumberGenerator.GetBytes(64);
        using var response = await owner.Client.PostJsonAsync("/api/organizations", CreateBody(owner, key, withCollection: withCollection));
        var organization = await response.ExpectObjectAsync();
        var id = Guid.Parse(organization.RequireString("id"));
        using var scope = owner.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
        var ownerMemberId = db.Memberships.Single(m => m.OrganizationId == id && m.UserId == Guid.Parse(owner.UserId)).Id;
        var collectionId = db.Collections.Where(c => c.OrganizationId == id).Select(c => (Guid?)c.Id).FirstOrDefault();
        return new TestOrganization(owner, id, ownerMemberId, key, collectionId);
    }

    /// <summary>A new owner account and its organization.</summary>
    public static async Task<TestOrganization> CreateAsync(CofferFactory factory, bool withCollection = true) =>
        await CreateAsync(await TestAccount.CreateAsync(factory), withCollection);

    /// <summary>
    /// <c>POST …/users/invite</c> for one address as <paramref name="by"/> (default the owner); returns the invitation
    /// entry (<c>id</c>, <c>email</c>, <c>status</c>, <c>invitationUrl</c>). An existing account is Accepted at once.
    /// </summary>
    public static async Task<JsonObject> InviteAsync(this TestOrganization organization, string email, int type = 2,
        JsonArray? collections = null, JsonObject? permissions = null, TestAccount? by = null)
    {
        using var response = await InviteRequestAsync(organization, email, type, collections, permissions, by);
        var list = await response.ExpectObjectAsync();
        return Assert.IsType<JsonObject>(Assert.Single(list.RequireArray("data")));
    }

    /// <summary>The raw invite call, for tests of its refusals.</summary>
    public static Task<HttpResponseMessage> InviteRequestAsync(this TestOrganization organization, string email, int type = 2,
        JsonArray? collections = null, JsonObject? permissions = null, TestAccount? by = null) =>
        (by ?? organization.Owner).Client.PostJsonAsync(organization.Url("/users/invite"), new JsonObject
        {
            ["emails"] = new JsonArray(email),
            ["type"] = type,
            ["accessSecretsManager"] = false,
            ["permissions"] = permissions,
            ["collections"] = collections ?? [],
            ["groups"] = new JsonArray(),
        });

    /// <summary>A new account invited with <paramref name="type"/> (and so Accepted at once); returns it and its member id.</summary>
    public static async Task<(TestAccount Account, Guid MemberId)> AddAcceptedMemberAsync(this TestOrganization organization, int type = 2,
        JsonArray? collections = null, JsonObject? permissions = null)
    {
        var account = await TestAccount.CreateAsync(organization.Factory);
        var invitation = await organization.InviteAsync(account.Email, type, collections, permissions);
        Assert.Equal(1, (int?)invitation["status"]);
        return (account, Guid.Parse(invitation.RequireString("id")));
    }

    /// <summary>A new Confirmed member of <paramref name="type"/>: invited, accepted and confirmed through the real routes.</summary>
    public static async Task<(TestAccount Account, Guid MemberId)> AddMemberAsync(this TestOrganization organization, int type = 2,
        JsonArray? collections = null, JsonObject? permissions = null)
    {
        var (account, memberId) = await organization.AddAcceptedMemberAsync(type, collections, permissions);
        await organization.ConfirmAsync(memberId, account);
        return (account, memberId);
    }

    /// <summary>
    /// What <c>bw confirm org-member</c> does (doc §2.4): reads the member, fetches its public key, wraps the
    /// organization key with it and posts it, as <paramref name="by"/> (default the owner).
    /// </summary>
    public static async Task ConfirmAsync(this TestOrganization organization, Guid memberId, TestAccount member, TestAccount? by = null)
    {
        var client = (by ?? organization.Owner).Client;
        using var details = await client.GetAsync(organization.Url($"/users/{memberId}?"));
        var userId = (await details.ExpectObjectAsync()).RequireString("userId");
        Assert.Equal(member.UserId, userId);
        using var keyResponse = await client.GetAsync($"/api/users/{userId}/public-key");
        var publicKey = (await keyResponse.ExpectObjectAsync()).RequireString("publicKey");
        using var confirm = await client.PostJsonAsync(organization.Url($"/users/{memberId}/confirm"),
            new JsonObject { ["key"] = Wrap(organization.Key, publicKey), ["defaultUserCollectionName"] = Fake.EncString() });
        await confirm.ExpectStatusAsync(HttpStatusCode.OK);
    }

    /// <summary>One entry of a member's <c>collections</c> (doc §4.2).</summary>
    public static JsonObject Access(Guid collectionId, bool readOnly = false, bool hidePasswords = false, bool manage = false) => new()
    {
        ["id"] = collectionId.ToString(),
        ["readOnly"] = readOnly,
        ["hidePasswords"] = hidePasswords,
        ["manage"] = manage,
    };

    /// <summary>Every role <see cref="MemberAsAsync"/> knows, for theories that walk them all.</summary>
    public static readonly string[] Roles =
        ["owner", "admin", "user", "custom-manageUsers", "custom", "invited-owner", "accepted-owner", "revoked-owner", "outsider"];

    /// <summary>
    /// An account in <paramref name="role"/> towards the organization: <c>owner</c> (its creator), <c>admin</c>,
    /// <c>user</c>, <c>custom-manageUsers</c>, <c>custom</c> (no permission), the unconfirmed or revoked Owners
    /// <c>invited-owner</c> (status set in the database: an account is Accepted at invite), <c>accepted-owner</c>,
    /// <c>revoked-owner</c> (revoked through the route), or <c>outsider</c> (no membership).
    /// </summary>
    public static async Task<TestAccount> MemberAsAsync(this TestOrganization organization, string role)
    {
        switch (role)
        {
            case "owner":
                return organization.Owner;
            case "admin":
                return (await organization.AddMemberAsync(type: 1)).Account;
            case "user":
                return (await organization.AddMemberAsync(type: 2)).Account;
            case "custom-manageUsers":
                return (await organization.AddMemberAsync(type: 4, permissions: new JsonObject { ["manageUsers"] = true })).Account;
            case "custom":
                return (await organization.AddMemberAsync(type: 4, permissions: new JsonObject())).Account;
            case "accepted-owner":
                return (await organization.AddAcceptedMemberAsync(type: 0)).Account;
            case "invited-owner":
                var (invited, invitedId) = await organization.AddAcceptedMemberAsync(type: 0);
                await organization.SetStatusAsync(invitedId, MembershipStatus.Invited);
                return invited;
            case "revoked-owner":
                var (revoked, revokedId) = await organization.AddMemberAsync(type: 0);
                using (var response = await organization.Owner.Client.SendEmptyAsync(HttpMethod.Put, organization.Url($"/users/{revokedId}/revoke")))
                {
                    await response.ExpectStatusAsync(HttpStatusCode.OK);
                }

                return revoked;
            case "outsider":
                return await TestAccount.CreateAsync(organization.Factory);
            default:
                throw new ArgumentOutOfRangeException(nameof(role), role, "unknown role");
        }
    }

    /// <summary>Sets a membership's status in the database (a state no route reaches directly, such as Invited with an account).</summary>
    public static async Task SetStatusAsync(this TestOrganization organization, Guid memberId, MembershipStatus status)
    {
        using var scope = organization.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
        var membership = db.Memberships.Single(m => m.Id == memberId);
        membership.Status = status;
        await db.SaveChangesAsync();
    }

    /// <summary>The stored membership (for assertions on status, key, type).</summary>
    public static Membership? StoredMember(this TestOrganization organization, Guid memberId)
    {
        using var scope = organization.Factory.Services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<CofferDb>().Memberships.SingleOrDefault(m => m.Id == memberId);
    }
}
