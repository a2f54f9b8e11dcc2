using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Coffer.Protocol.Api;
using Coffer.Server.Admin;
using Coffer.Server.Audit;
using Coffer.Server.Ciphers;
using Coffer.Server.Organizations;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Tests.Organizations;

/// <summary>Organization routes (<c>bitwarden-organizations.md</c> §2.3, §3): create, read, update, delete, leave, keys, stubs.</summary>
public sealed class OrganizationTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task CreateOrganization_MakesTheCreatorItsConfirmedOwner_WithThePostedKey_AndAManagedFirstCollection()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var key = RandomNumberGenerator.GetBytes(64);
        var body = OrgHarness.CreateBody(owner, key, "Family");

        using var response = await owner.Client.PostJsonAsync("/api/organizations", body);

        var organization = await response.ExpectObjectAsync();
        Assert.Equal("organization", (string?)organization["object"]);
        Assert.Equal("Family", (string?)organization["name"]);
        Assert.Equal(owner.Email, (string?)organization["billingEmail"]);
        Assert.Equal(6, (int?)organization["planType"]);
        Assert.True((bool?)organization["hasPublicAndPrivateKeys"]);
        var id = Guid.Parse(organization.RequireString("id"));
        Assert.Equal(4, id.Version);
        using var profileResponse = await owner.Client.GetAsync("/api/accounts/profile");
        var entry = Assert.IsType<JsonObject>(Assert.Single((await profileResponse.ExpectObjectAsync()).RequireArray("organizations")));
        Assert.Equal(id.ToString(), (string?)entry["id"]);
        Assert.Equal((string?)body["key"], (string?)entry["key"]);
        Assert.Equal(2, (int?)entry["status"]);
        Assert.Equal(0, (int?)entry["type"]);
        Assert.True((bool?)entry["enabled"]);
        Assert.True((bool?)entry["usePolicies"]);
        var (collections, access, stored) = await AccountChanges.QueryAsync(factory, async db => (
            await db.Collections.Where(c => c.OrganizationId == id).ToListAsync(),
            await db.CollectionMembers.ToListAsync(),
            await db.Organizations.SingleAsync(o => o.Id == id)));
        var collection = Assert.Single(collections);
        Assert.Equal((string?)body["collectionName"], collection.Name);
        var row = Assert.Single(access, a => a.CollectionId == collection.Id);
        Assert.True(row.Manage);
        Assert.Equal(Guid.Parse((string)entry["organizationUserId"]!), row.MembershipId);
        Assert.Equal(Fake.PublicKey, stored.PublicKey);
        Assert.Equal((string?)body["keys"]!["encryptedPrivateKey"], stored.PrivateKey);
        Assert.Contains(EventType.OrganizationCreated, await AccountChanges.AuditEventsAsync(factory, owner.UserId));
    }

    [Fact]
    public async Task CreateOrganization_WithoutCollectionName_CreatesNoCollection()
    {
        var organization = await OrgHarness.CreateAsync(factory, withCollection: false);

        Assert.Null(organization.FirstCollectionId);
    }

    [Theory]
    [InlineData("name", "")]
    [InlineData("name", "123456789012345678901234567890123456789012345678901")]
    [InlineData("billingEmail", "not an address")]
    [InlineData("billingEmail", null)]
    [InlineData("key", "2.AAAA|BBBB|CCCC")]
    [InlineData("key", "4.not base64!")]
    [InlineData("key", null)]
    [InlineData("collectionName", "plain text")]
    public async Task CreateOrganization_WithAnInvalidField_Returns400_AndCreatesNothing(string field, string? value)
    {
        var owner = await TestAccount.CreateAsync(factory);
        var body = OrgHarness.CreateBody(owner, RandomNumberGenerator.GetBytes(64));
        body[field] = value;

        using var response = await owner.Client.PostJsonAsync("/api/organizations", body);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        var userId = Guid.Parse(owner.UserId);
        Assert.Equal(0, await AccountChanges.QueryAsync(factory, db => db.Memberships.CountAsync(m => m.UserId == userId)));
    }

    [Fact]
    public async Task CreateOrganization_WithABadKeyPair_Returns400()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var body = OrgHarness.CreateBody(owner, RandomNumberGenerator.GetBytes(64));
        body["keys"] = new JsonObject { ["publicKey"] = "not base64!", ["encryptedPrivateKey"] = "x" };

        using var response = await owner.Client.PostJsonAsync("/api/organizations", body);

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task CreateOrganization_WhenRestrictedToAdmins_RefusesOthers_AndAllowsServerAdmins()
    {
        await using var restricted = new CofferFactory();
        var user = await TestAccount.CreateAsync(restricted);
        var admin = await TestAccount.CreateAsync(restricted);
        await AccountChanges.QueryAsync(restricted, async db =>
        {
            db.ServerSettings.Add(new ServerSetting { Name = OrganizationCreation.SettingName, Value = OrganizationCreation.Admins });
            await db.Users.Where(u => u.Id == Guid.Parse(admin.UserId)).ExecuteUpdateAsync(s => s.SetProperty(u => u.IsAdmin, true));
            return await db.SaveChangesAsync();
        });

        using (var refused = await user.Client.PostJsonAsync("/api/organizations", OrgHarness.CreateBody(user, RandomNumberGenerator.GetBytes(64))))
        {
            var error = await refused.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
            Assert.Contains("admins", (string?)error["message"], StringComparison.Ordinal);
        }

        await OrgHarness.CreateAsync(admin);
    }

    [Fact]
    public async Task CreateOrganization_ByAMemberOfASingleOrgOrganization_Returns400()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, _) = await organization.AddMemberAsync();
        await AccountChanges.QueryAsync(factory, db =>
        {
            db.Policies.Add(new Policy { Id = Guid.NewGuid(), OrganizationId = organization.Id, Type = PolicyType.SingleOrg, Enabled = true });
            return db.SaveChangesAsync();
        });

        using var response = await member.Client.PostJsonAsync("/api/organizations", OrgHarness.CreateBody(member, RandomNumberGenerator.GetBytes(64)));

        var error = await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Contains("single organization", (string?)error["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plans_AnswerVaultwardensFreePlanList()
    {
        var account = await TestAccount.CreateAsync(factory);

        using var response = await account.Client.GetAsync("/api/plans");

        var plans = await response.ExpectObjectAsync();
        Assert.Equal("list", (string?)plans["object"]);
        Assert.Equal([0, 1], plans.RequireArray("data").Select(p => (int)p!["product"]!));
        Assert.All(plans.RequireArray("data"), p => Assert.Equal("Free", (string?)p!["name"]));
    }

    [Theory]
    [InlineData("/billing/metadata", "data")]
    [InlineData("/billing/vnext/warnings", "freeTrial")]
    [InlineData("/billing/vnext/self-host/metadata", "organizationOccupiedSeats")]
    public async Task BillingStubs_AnswerMembers_And404OthersAsync(string path, string field)
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var outsider = await TestAccount.CreateAsync(factory);

        using var response = await organization.Owner.Client.GetAsync(organization.Url(path));
        using var refused = await outsider.Client.GetAsync(organization.Url(path));

        Assert.True((await response.ExpectObjectAsync()).ContainsKey(field));
        await refused.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task GetOrganization_AnswersTheOwner_And404sAnAdminAndAUser()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (admin, _) = await organization.AddMemberAsync(type: 1);
        var (user, _) = await organization.AddMemberAsync(type: 2);

        using var own = await organization.Owner.Client.GetAsync(organization.Url());
        Assert.Equal(organization.Id.ToString(), (await own.ExpectObjectAsync()).RequireString("id"));
        foreach (var member in new[] { admin, user })
        {
            using var response = await member.Client.GetAsync(organization.Url());
            await response.ExpectBitwardenErrorAsync(HttpStatusCode.NotFound);
        }
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("POST")]
    public async Task UpdateOrganization_ByTheOwner_RenamesIt_AndMovesEveryMembersRevisionDate(string method)
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, _) = await organization.AddMemberAsync();
        var before = await member.RevisionDateAsync();

        using var response = await organization.Owner.Client.SendJsonAsync(new HttpMethod(method), organization.Url(),
            new JsonObject { ["name"] = "Renamed", ["billingEmail"] = "Billing@Example.com", ["businessName"] = "ignored" });

        var updated = await response.ExpectObjectAsync();
        Assert.Equal("Renamed", (string?)updated["name"]);
        Assert.Equal("billing@example.com", (string?)updated["billingEmail"]);
        Assert.True(await member.RevisionDateAsync() > before);
        using var profile = await member.Client.GetAsync("/api/accounts/profile");
        Assert.Equal("Renamed", (string?)(await profile.ExpectObjectAsync()).RequireArray("organizations")[0]!["name"]);
    }

    [Fact]
    public async Task UpdateOrganization_ByAnAdmin_Returns400()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (admin, _) = await organization.AddMemberAsync(type: 1);

        using var response = await admin.Client.PutJsonAsync(organization.Url(), new JsonObject { ["name"] = "Mine", ["billingEmail"] = admin.Email });

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("DELETE", "")]
    [InlineData("POST", "/delete")]
    public async Task DeleteOrganization_WithTheOwnersPassword_DeletesItsItemsCollectionsMembersAndPolicies(string method, string path)
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, _) = await organization.AddMemberAsync();
        var memberBefore = await member.RevisionDateAsync();
        await AccountChanges.QueryAsync(factory, db =>
        {
            db.Ciphers.Add(new Cipher { Id = Guid.NewGuid(), OrganizationId = organization.Id, Type = CipherType.Login, Data = [1] });
            db.Policies.Add(new Policy { Id = Guid.NewGuid(), OrganizationId = organization.Id, Type = PolicyType.TwoFactorAuthentication, Enabled = true });
            return db.SaveChangesAsync();
        });

        using var response = await organization.Owner.Client.SendJsonAsync(new HttpMethod(method), organization.Url(path),
            AccountChanges.Secret(organization.Owner.Credentials.MasterPasswordHash));

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        var id = organization.Id;
        var left = await AccountChanges.QueryAsync(factory, async db => new[]
        {
            await db.Organizations.CountAsync(o => o.Id == id),
            await db.Ciphers.CountAsync(c => c.OrganizationId == id),
            await db.Collections.CountAsync(c => c.OrganizationId == id),
            await db.Memberships.CountAsync(m => m.OrganizationId == id),
            await db.Policies.CountAsync(p => p.OrganizationId == id),
        });
        Assert.All(left, count => Assert.Equal(0, count));
        Assert.True(await member.RevisionDateAsync() > memberBefore);
        Assert.Empty((await member.SyncAsync())["profile"].RequireArray("organizations"));
        Assert.Contains(EventType.OrganizationDeleted, await AccountChanges.AuditEventsAsync(factory, organization.Owner.UserId));
    }

    [Fact]
    public async Task DeleteOrganization_WithAWrongPassword_Returns400_AndKeepsIt()
    {
        var organization = await OrgHarness.CreateAsync(factory);

        using var response = await organization.Owner.Client.SendJsonAsync(HttpMethod.Delete, organization.Url(), AccountChanges.Secret(Fake.MasterPasswordHash()));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(await AccountChanges.QueryAsync(factory, db => db.Organizations.FindAsync(organization.Id).AsTask()));
    }

    [Fact]
    public async Task DeleteOrganization_ByAnAdmin_Returns400()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (admin, _) = await organization.AddMemberAsync(type: 1);

        using var response = await admin.Client.SendJsonAsync(HttpMethod.Delete, organization.Url(), AccountChanges.Secret(admin.Credentials.MasterPasswordHash));

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Leave_ByTheLastOwner_Returns400_ButAMemberLeaves()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddMemberAsync();

        using (var refused = await organization.Owner.Client.PostAsync(organization.Url("/leave"), null))
        {
            await refused.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        }

        using var left = await member.Client.PostAsync(organization.Url("/leave"), null);

        await left.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.Null(organization.StoredMember(memberId));
        Assert.Contains(EventType.MemberLeft, await AccountChanges.AuditEventsAsync(factory, member.UserId));
    }

    [Fact]
    public async Task Leave_ByAnOwner_WhenAnotherOwnerIsConfirmed_Works()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        await organization.AddMemberAsync(type: 0);

        using var response = await organization.Owner.Client.PostAsync(organization.Url("/leave"), null);

        await response.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Leave_ByAnAcceptedMember_DeclinesTheInvitation()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddAcceptedMemberAsync();

        using var response = await member.Client.PostAsync(organization.Url("/leave"), null);

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.Null(organization.StoredMember(memberId));
    }

    [Theory]
    [InlineData("/public-key")]
    [InlineData("/keys")]
    public async Task PublicKey_GivesAMemberThePublicKeyOnly(string path)
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, _) = await organization.AddMemberAsync();

        using var response = await member.Client.GetAsync(organization.Url(path));

        var keys = await response.ExpectObjectAsync();
        Assert.Equal(Fake.PublicKey, (string?)keys["publicKey"]);
        Assert.Equal("organizationPublicKey", (string?)keys["object"]);
        Assert.False(keys.ContainsKey("privateKey"));
    }

    [Fact]
    public async Task SetKeys_OnAnOrganizationWithout_StoresThem_ThenRefusesASecondPair()
    {
        var owner = await TestAccount.CreateAsync(factory);
        var body = OrgHarness.CreateBody(owner, RandomNumberGenerator.GetBytes(64));
        body.Remove("keys");
        using var created = await owner.Client.PostJsonAsync("/api/organizations", body);
        var organization = await created.ExpectObjectAsync();
        Assert.False((bool?)organization["hasPublicAndPrivateKeys"]);
        var url = $"/api/organizations/{organization.RequireString("id")}/keys";
        var pair = new JsonObject { ["publicKey"] = Fake.PublicKey, ["encryptedPrivateKey"] = Fake.EncString() };

        using var response = await owner.Client.PostJsonAsync(url, pair);
        using var again = await owner.Client.PostJsonAsync(url, pair);

        var keys = await response.ExpectObjectAsync();
        Assert.Equal("organizationKeys", (string?)keys["object"]);
        Assert.Equal((string?)pair["encryptedPrivateKey"], (string?)keys["privateKey"]);
        var error = await again.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Organization Keys already exist.", (string?)error["message"]);
    }

    [Fact]
    public async Task SetKeys_ByAUser_Returns400()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (user, _) = await organization.AddMemberAsync();

        using var response = await user.Client.PostJsonAsync(organization.Url("/keys"), new JsonObject { ["publicKey"] = Fake.PublicKey, ["encryptedPrivateKey"] = Fake.EncString() });

        await response.ExpectBitwardenErrorAsync(HttpStatusCode.BadRequest);
    }
}
