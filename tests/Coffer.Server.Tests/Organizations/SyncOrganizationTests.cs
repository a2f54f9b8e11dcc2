using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Server.Data;
using Coffer.Server.Organizations;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Organizations;

/// <summary>
/// Sync with organizations (doc <c>bitwarden-organizations.md</c> §7, pitfalls P1–P3, P12): the output is validated
/// strictly, as a broken entry sticks in the CLI's cache until the next login, and every change another member makes
/// that the caller can see must change the caller's sync (its cache key).
/// </summary>
public sealed class SyncOrganizationTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    private static readonly string[] Booleans =
    [
        "enabled", "usePolicies", "usersGetPremium", "use2fa", "useDirectory", "useEvents", "useGroups", "useTotp", "useScim", "useApi",
        "selfHost", "hasPublicAndPrivateKeys", "resetPasswordEnrolled", "useResetPassword", "ssoBound", "useSso", "useKeyConnector",
        "useSecretsManager", "usePasswordManager", "useCustomPermissions", "useActivateAutofillPolicy", "useAdminSponsoredFamilies",
        "useRiskInsights", "useDisableSMAdsForUsers", "useInviteLinks", "useMyItems", "useOrganizationDomains", "usePam", "usePhishingBlocker",
        "familySponsorshipAvailable", "keyConnectorEnabled", "accessSecretsManager", "limitCollectionCreation", "limitCollectionDeletion",
        "limitItemDeletion", "allowAdminAccessToAllCollectionItems", "userIsClaimedByOrganization",
    ];

    [Fact]
    public async Task Sync_ProfileOrganizations_HaveEveryRequiredFieldWithItsJsonType()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddMemberAsync(type: 4, permissions: new JsonObject { ["editAnyCollection"] = true });

        var sync = await member.SyncAsync();

        var entry = Assert.IsType<JsonObject>(Assert.Single(sync["profile"].RequireArray("organizations")));
        Assert.Equal(organization.Id, Guid.Parse(entry.RequireString("id")));
        Assert.Equal("Acme", entry.RequireString("name"));
        Assert.Matches("^4\\.[A-Za-z0-9+/=]{344}$", entry.RequireString("key"));
        Assert.Equal(JsonValueKind.Number, entry["status"]?.GetValueKind());
        Assert.Equal(2, (int?)entry["status"]);
        Assert.Equal(JsonValueKind.Number, entry["type"]?.GetValueKind());
        Assert.Equal(4, (int?)entry["type"]);
        Assert.Equal(memberId, Guid.Parse(entry.RequireString("organizationUserId")));
        Assert.Equal(member.UserId, entry.RequireString("userId"));
        Assert.Equal("profileOrganization", entry.RequireString("object"));
        Assert.Equal(JsonValueKind.Number, entry["productTierType"]?.GetValueKind());
        foreach (var name in Booleans)
        {
            Assert.True(entry[name]?.GetValueKind() is JsonValueKind.True or JsonValueKind.False, $"'{name}' is not a JSON boolean: {entry.ToJsonString()}");
        }

        var permissions = Assert.IsType<JsonObject>(entry["permissions"]);
        Assert.All(permissions, p => Assert.True(p.Value?.GetValueKind() is JsonValueKind.True or JsonValueKind.False, p.Key));
        Assert.True((bool?)permissions["editAnyCollection"]);
        Assert.Empty(sync["profile"].RequireArray("providers"));
    }

    [Fact]
    public async Task Sync_CollectionsAndItems_CarryTheCallersOwnFlags_AndOnlyTheCollectionsTheyCanSee()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var (member, memberId) = await organization.AddMemberAsync();
        var hidePasswords = await organization.CreateCollectionAsync(OrgHarness.Access(memberId, readOnly: true, hidePasswords: true));
        var item = (await organization.Owner.CreateItemAsync(organization.Id, hidePasswords, organization.FirstCollectionId!.Value)).RequireString("id");

        var sync = await member.SyncAsync();

        var collection = Assert.IsType<JsonObject>(Assert.Single(sync.RequireArray("collections")));
        Assert.Equal(hidePasswords.ToString(), collection.RequireString("id"));
        Assert.Equal(organization.Id.ToString(), collection.RequireString("organizationId"));
        Assert.StartsWith("2.", collection.RequireString("name"), StringComparison.Ordinal);
        Assert.Equal("collectionDetails", collection.RequireString("object"));
        Assert.True((bool?)collection["readOnly"]);
        Assert.True((bool?)collection["hidePasswords"]);
        Assert.False((bool?)collection["manage"]);
        var cipher = Assert.IsType<JsonObject>(sync.RequireArray("ciphers").ById(item));
        Assert.Equal(organization.Id.ToString(), cipher.RequireString("organizationId"));
        Assert.Equal([hidePasswords.ToString()], cipher.RequireArray("collectionIds").Select(c => (string?)c));
        Assert.False((bool?)cipher["edit"]);
        Assert.False((bool?)cipher["viewPassword"]);
        Assert.False((bool?)cipher["permissions"]?["delete"]);
        Assert.False((bool?)cipher["permissions"]?["restore"]);
        Assert.True((bool?)cipher["organizationUseTotp"]);
        // The ciphertext is all there: hide-passwords is a client-side restriction (doc §9.3).
        Assert.NotNull(cipher["login"]?["password"]);

        var owner = await organization.Owner.SyncAsync();
        Assert.Equal(2, owner.RequireArray("collections").Count);
        var full = owner.RequireArray("ciphers").ById(item)!;
        Assert.Equal(2, full.RequireArray("collectionIds").Count);
        Assert.True((bool?)full["edit"]);
        Assert.True((bool?)full["viewPassword"]);
    }

    [Fact]
    public async Task Sync_Policies_AreTheEnabledPoliciesOfTheCallersConfirmedOrganizations()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var other = await OrgHarness.CreateAsync(factory);
        var (member, _) = await organization.AddMemberAsync();
        var enabled = Guid.NewGuid();
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
            db.Policies.AddRange(
                new Policy { Id = enabled, OrganizationId = organization.Id, Type = PolicyType.PasswordGenerator, Enabled = true, Data = """{"minLength":20}""" },
                new Policy { Id = Guid.NewGuid(), OrganizationId = organization.Id, Type = PolicyType.MasterPassword, Enabled = false },
                new Policy { Id = Guid.NewGuid(), OrganizationId = other.Id, Type = PolicyType.DisableSend, Enabled = true });
            await db.SaveChangesAsync();
        }

        var policy = Assert.IsType<JsonObject>(Assert.Single((await member.SyncAsync()).RequireArray("policies")));

        Assert.Equal(enabled.ToString(), policy.RequireString("id"));
        Assert.Equal(organization.Id.ToString(), policy.RequireString("organizationId"));
        Assert.Equal(2, (int?)policy["type"]);
        Assert.Equal(20, (int?)policy["data"]?["minLength"]);
        Assert.True((bool?)policy["enabled"]);
        Assert.Equal("policy", policy.RequireString("object"));
    }

    [Fact]
    public async Task Sync_OfARevokedMember_HasNoOrganizationData_AndRestoreBringsItBack()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var collection = organization.FirstCollectionId!.Value;
        var (member, memberId) = await organization.AddMemberAsync(collections: [OrgHarness.Access(collection)]);
        var item = (await organization.Owner.CreateItemAsync(organization.Id, collection)).RequireString("id");
        Assert.NotNull(await member.SyncedCipherAsync(item));

        await MemberChangeAsync(organization, $"/users/{memberId}/revoke");

        var revoked = await member.SyncAsync();
        Assert.Empty(revoked["profile"].RequireArray("organizations"));
        Assert.Empty(revoked.RequireArray("collections"));
        Assert.Empty(revoked.RequireArray("ciphers"));
        await MemberChangeAsync(organization, $"/users/{memberId}/restore");
        Assert.NotNull(await member.SyncedCipherAsync(item));
    }

    [Fact]
    public async Task Sync_ChangesForAMember_WhenOthersChangeWhatTheyCanSee()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var owner = organization.Owner;
        var collection = organization.FirstCollectionId!.Value;
        var (member, memberId) = await organization.AddMemberAsync(collections: [OrgHarness.Access(collection, readOnly: true)]);
        var before = (await member.SyncAsync()).ToJsonString();

        // An item added to their collection by someone else (P12).
        var item = (await owner.CreateItemAsync(organization.Id, collection)).RequireString("id");
        Assert.NotNull(await member.SyncedCipherAsync(item));

        // Their access changed by an admin (membership change by another user).
        using (var update = await owner.Client.PutJsonAsync(organization.Url($"/users/{memberId}"), new JsonObject
        {
            ["type"] = 2,
            ["collections"] = new JsonArray(OrgHarness.Access(collection)),
            ["groups"] = new JsonArray(),
        }))
        {
            await update.ExpectStatusAsync(HttpStatusCode.OK);
        }

        Assert.True((bool?)(await member.SyncedCipherAsync(item))!["edit"]);

        // The collection renamed, its access edited by the owner.
        var renamed = OrgItems.CollectionBody(null);
        using (var rename = await owner.Client.PutJsonAsync(organization.Url($"/collections/{collection}"), renamed))
        {
            await rename.ExpectStatusAsync(HttpStatusCode.OK);
        }

        Assert.Equal(renamed.RequireString("name"), (await member.SyncAsync()).RequireArray("collections").ById(collection.ToString())!.RequireString("name"));

        // The item edited, trashed, then removed by the owner.
        using (var edit = await owner.Client.PutJsonAsync($"/api/ciphers/{item}", OrgItems.Item(organization.Id, owner)))
        {
            var edited = await edit.ExpectObjectAsync();
            Assert.Equal(edited.RequireString("name"), (await member.SyncedCipherAsync(item))!.RequireString("name"));
        }

        using (var trash = await owner.Client.SendEmptyAsync(HttpMethod.Put, $"/api/ciphers/{item}/delete"))
        {
            await trash.ExpectStatusAsync(HttpStatusCode.OK);
        }

        Assert.NotNull((string?)(await member.SyncedCipherAsync(item))!["deletedDate"]);

        // Removed from the organization by the owner.
        await MemberChangeAsync(organization, $"/users/{memberId}", HttpMethod.Delete);
        var after = await member.SyncAsync();
        Assert.Empty(after["profile"].RequireArray("organizations"));
        Assert.Empty(after.RequireArray("ciphers"));
        Assert.NotEqual(before, after.ToJsonString());
    }

    private static async Task MemberChangeAsync(TestOrganization organization, string path, HttpMethod? method = null)
    {
        using var response = await organization.Owner.Client.SendEmptyAsync(method ?? HttpMethod.Put, organization.Url(path));
        await response.ExpectSuccessAsync();
    }
}
