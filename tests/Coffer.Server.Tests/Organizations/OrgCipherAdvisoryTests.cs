using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Organizations;

/// <summary>
/// Vaultwarden's organization advisories (doc <c>bitwarden-organizations.md</c> §9.6) on the collection and item routes,
/// each written as the test the doc asks for: T2 (another organization's ids), T3, T4, T5, T6, T9, T10 and the item
/// part of T13.
/// </summary>
public sealed class OrgCipherAdvisoryTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    private static readonly HttpStatusCode NotFound = HttpStatusCode.NotFound;

    [Fact]
    public async Task T2_OwnerOfAnotherOrganization_GetsNotFound_OnEveryCollectionAndItemRouteOfThisOne()
    {
        var a = await OrgHarness.CreateAsync(factory);
        var b = await OrgHarness.CreateAsync(factory);
        var itemOfB = (await b.Owner.CreateItemAsync(b.Id, b.FirstCollectionId!.Value)).RequireString("id");
        var collectionOfB = b.FirstCollectionId!.Value;
        var client = a.Owner.Client;

        Assert.Equal(NotFound, await OrgItems.StatusAsync(client.GetAsync(b.Url("/collections"))));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(client.GetAsync(b.Url("/collections/details"))));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(client.GetAsync(b.Url($"/collections/{collectionOfB}/details"))));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(client.GetAsync(b.Url($"/collections/{collectionOfB}/users"))));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(client.PostJsonAsync(b.Url("/collections"), OrgItems.CollectionBody([]))));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(client.PutJsonAsync(b.Url($"/collections/{collectionOfB}"), OrgItems.CollectionBody(null))));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(client.SendEmptyAsync(HttpMethod.Delete, b.Url($"/collections/{collectionOfB}"))));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(client.GetAsync(b.Url("/export"))));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(client.GetAsync($"/api/ciphers/organization-details?organizationId={b.Id}")));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(client.PostJsonAsync($"/api/ciphers/import-organization?organizationId={b.Id}", new JsonObject { ["ciphers"] = new JsonArray() })));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(client.PostJsonAsync($"/api/ciphers/purge?organizationId={b.Id}", new JsonObject { ["masterPasswordHash"] = a.Owner.Credentials.MasterPasswordHash })));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(client.GetAsync($"/api/ciphers/{itemOfB}")));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(client.GetAsync($"/api/ciphers/{itemOfB}/admin")));

        // The URL names A, where the caller is Owner; the collection or item id is B's.
        Assert.Equal(NotFound, await OrgItems.StatusAsync(client.GetAsync(a.Url($"/collections/{collectionOfB}/details"))));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(client.GetAsync(a.Url($"/collections/{collectionOfB}/users"))));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(client.PutJsonAsync(a.Url($"/collections/{collectionOfB}"), OrgItems.CollectionBody(null))));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(client.SendEmptyAsync(HttpMethod.Delete, a.Url($"/collections/{collectionOfB}"))));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(client.SendJsonAsync(HttpMethod.Delete, a.Url("/collections"), new JsonObject { ["ids"] = OrgItems.Ids(collectionOfB) })));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(client.PostJsonAsync(a.Url("/collections/bulk-access"),
            new JsonObject { ["collectionIds"] = OrgItems.Ids(collectionOfB), ["users"] = new JsonArray(), ["groups"] = new JsonArray() })));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(client.SendJsonAsync(HttpMethod.Delete, "/api/ciphers/admin",
            new JsonObject { ["ids"] = new JsonArray(itemOfB), ["organizationId"] = a.Id.ToString() })));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(client.PostJsonAsync("/api/ciphers/bulk-collections", new JsonObject
        {
            ["organizationId"] = a.Id.ToString(),
            ["cipherIds"] = new JsonArray(itemOfB),
            ["collectionIds"] = OrgItems.Ids(a.FirstCollectionId!.Value),
            ["removeCollections"] = false,
        })));

        await AssertItemIntactAsync(b.Owner, itemOfB, collectionOfB);
    }

    [Fact]
    public async Task T3_MemberOfOneCollection_GetsNotFound_ForItemsOfAnother_AndNeverSyncsThem()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var c1 = organization.FirstCollectionId!.Value;
        var c2 = await organization.CreateCollectionAsync();
        var (member, _) = await organization.AddMemberAsync(collections: [OrgHarness.Access(c1)]);
        var visible = (await organization.Owner.CreateItemAsync(organization.Id, c1)).RequireString("id");
        var hidden = (await organization.Owner.CreateItemAsync(organization.Id, c2)).RequireString("id");

        Assert.Equal(HttpStatusCode.OK, await OrgItems.StatusAsync(member.Client.GetAsync($"/api/ciphers/{visible}")));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(member.Client.GetAsync($"/api/ciphers/{hidden}")));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(member.Client.GetAsync($"/api/ciphers/{hidden}/details")));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(member.Client.PutJsonAsync($"/api/ciphers/{hidden}", OrgItems.Item(organization.Id, member))));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(member.ShareRequestAsync(hidden, organization.Id, c1)));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(member.CollectionsV2Async(hidden, c1)));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(member.Client.SendEmptyAsync(HttpMethod.Put, $"/api/ciphers/{hidden}/delete")));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(member.Client.SendEmptyAsync(HttpMethod.Delete, $"/api/ciphers/{hidden}")));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(member.Client.PutJsonAsync("/api/ciphers/delete", Payloads.Ids(visible, hidden))));
        var sync = await member.SyncAsync();
        Assert.NotNull(sync.RequireArray("ciphers").ById(visible));
        Assert.Null(sync.RequireArray("ciphers").ById(hidden));
        Assert.Equal([c1.ToString()], sync.RequireArray("collections").Select(c => (string?)c!["id"]));
        using var list = await member.Client.GetAsync("/api/ciphers");
        Assert.Null((await list.ExpectObjectAsync()).RequireArray("data").ById(hidden));
        await AssertItemIntactAsync(organization.Owner, hidden, c2);
    }

    [Fact]
    public async Task T4_AnotherUsersPersonalItem_IsNotFound_OnEveryItemRoute()
    {
        var alice = await TestAccount.CreateAsync(factory);
        var organization = await OrgHarness.CreateAsync(factory);
        var bob = organization.Owner;
        var secret = (await alice.CreateCipherAsync()).RequireString("id");

        Assert.Equal(NotFound, await OrgItems.StatusAsync(bob.Client.GetAsync($"/api/ciphers/{secret}")));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(bob.Client.GetAsync($"/api/ciphers/{secret}/details")));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(bob.Client.GetAsync($"/api/ciphers/{secret}/admin")));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(bob.ShareRequestAsync(secret, organization.Id, organization.FirstCollectionId!.Value)));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(bob.CollectionsV2Async(secret, organization.FirstCollectionId!.Value)));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(bob.Client.PutJsonAsync("/api/ciphers/share", new JsonObject
        {
            ["ciphers"] = new JsonArray(WithId(OrgItems.Item(organization.Id, bob), secret)),
            ["collectionIds"] = OrgItems.Ids(organization.FirstCollectionId!.Value),
        })));
        Assert.Null((await bob.SyncAsync()).RequireArray("ciphers").ById(secret));
        var kept = await alice.SyncedCipherAsync(secret);
        Assert.NotNull(kept);
        Assert.Null((string?)kept!["organizationId"]);
    }

    [Fact]
    public async Task T5_MemberWhoCanEditButNotManage_CannotUpdateOrDeleteTheCollection()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var collection = organization.FirstCollectionId!.Value;
        var (member, memberId) = await organization.AddMemberAsync(collections: [OrgHarness.Access(collection)]);

        Assert.Equal(HttpStatusCode.BadRequest, await OrgItems.StatusAsync(member.Client.PutJsonAsync(organization.Url($"/collections/{collection}"),
            OrgItems.CollectionBody([OrgHarness.Access(memberId, manage: true)]))));
        Assert.Equal(HttpStatusCode.BadRequest, await OrgItems.StatusAsync(member.Client.SendEmptyAsync(HttpMethod.Delete, organization.Url($"/collections/{collection}"))));
        Assert.Equal(HttpStatusCode.BadRequest, await OrgItems.StatusAsync(member.Client.PostJsonAsync(organization.Url("/collections/bulk-access"),
            new JsonObject { ["collectionIds"] = OrgItems.Ids(collection), ["users"] = new JsonArray(OrgHarness.Access(memberId, manage: true)), ["groups"] = new JsonArray() })));

        var details = await CollectionDetailsAsync(organization, collection);
        var row = Assert.IsType<JsonObject>(details.RequireArray("users").ById(memberId.ToString()));
        Assert.False((bool?)row["manage"]);
    }

    [Fact]
    public async Task T6_CustomMemberNotAssignedToACollection_CannotUpdateDeleteOrGrantAccessToIt()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var collection = organization.FirstCollectionId!.Value;
        var (member, memberId) = await organization.AddMemberAsync(type: 4,
            permissions: new JsonObject { ["createNewCollections"] = true, ["manageUsers"] = true });

        Assert.Equal(NotFound, await OrgItems.StatusAsync(member.Client.PutJsonAsync(organization.Url($"/collections/{collection}"),
            OrgItems.CollectionBody([OrgHarness.Access(memberId, manage: true)]))));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(member.Client.SendEmptyAsync(HttpMethod.Delete, organization.Url($"/collections/{collection}"))));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(member.Client.PostJsonAsync(organization.Url("/collections/bulk-access"),
            new JsonObject { ["collectionIds"] = OrgItems.Ids(collection), ["users"] = new JsonArray(OrgHarness.Access(memberId, manage: true)), ["groups"] = new JsonArray() })));

        var details = await CollectionDetailsAsync(organization, collection);
        Assert.Null(details.RequireArray("users").ById(memberId.ToString()));
    }

    [Fact]
    public async Task T9_CollectionsOfAnotherOrganization_AreRefusedInItemBodies_AndItsItemsAreNotFoundOnAdminRoutes()
    {
        var a = await OrgHarness.CreateAsync(factory);
        var b = await OrgHarness.CreateAsync(factory);
        var owner = a.Owner;
        var collectionOfB = b.FirstCollectionId!.Value;
        var itemOfA = (await owner.CreateItemAsync(a.Id, a.FirstCollectionId!.Value)).RequireString("id");
        var personal = (await owner.CreateCipherAsync()).RequireString("id");

        Assert.Equal(HttpStatusCode.BadRequest, await OrgItems.StatusAsync(owner.CreateItemRequestAsync(a.Id, collectionOfB)));
        Assert.Equal(HttpStatusCode.BadRequest, await OrgItems.StatusAsync(owner.ShareRequestAsync(personal, a.Id, collectionOfB)));
        Assert.Equal(HttpStatusCode.BadRequest, await OrgItems.StatusAsync(owner.CollectionsV2Async(itemOfA, collectionOfB)));
        Assert.Equal(HttpStatusCode.BadRequest, await OrgItems.StatusAsync(owner.Client.PostJsonAsync("/api/ciphers/bulk-collections", new JsonObject
        {
            ["organizationId"] = a.Id.ToString(),
            ["cipherIds"] = new JsonArray(itemOfA),
            ["collectionIds"] = OrgItems.Ids(collectionOfB),
            ["removeCollections"] = false,
        })));

        var itemOfB = (await b.Owner.CreateItemAsync(b.Id, collectionOfB)).RequireString("id");
        Assert.Equal(NotFound, await OrgItems.StatusAsync(owner.Client.GetAsync($"/api/ciphers/{itemOfB}/admin")));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(owner.Client.PutJsonAsync($"/api/ciphers/{itemOfB}/admin", OrgItems.Item(b.Id, owner))));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(owner.Client.SendEmptyAsync(HttpMethod.Put, $"/api/ciphers/{itemOfB}/delete-admin")));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(owner.Client.SendEmptyAsync(HttpMethod.Put, $"/api/ciphers/{itemOfB}/restore-admin")));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(owner.Client.SendEmptyAsync(HttpMethod.Delete, $"/api/ciphers/{itemOfB}/admin")));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(owner.Client.PutJsonAsync($"/api/ciphers/{itemOfB}/collections-admin",
            new JsonObject { ["collectionIds"] = OrgItems.Ids(a.FirstCollectionId!.Value) })));
        await AssertItemIntactAsync(b.Owner, itemOfB, collectionOfB);
        Assert.Null((string?)(await owner.SyncedCipherAsync(personal))!["organizationId"]);
    }

    [Fact]
    public async Task T10_ImportIntoAnOrganization_IsRefusedToUsersAndUnconfirmedAdmins_AndPutsEveryCollectionInThatOrganization()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var other = await OrgHarness.CreateAsync(factory);
        var (user, _) = await organization.AddMemberAsync();
        var (acceptedAdmin, _) = await organization.AddAcceptedMemberAsync(type: 1);
        var url = $"/api/ciphers/import-organization?organizationId={organization.Id}";
        JsonObject Body(TestAccount by, string? collectionId) => new()
        {
            ["ciphers"] = new JsonArray(OrgItems.Item(organization.Id, by), OrgItems.Item(organization.Id, by)),
            ["collections"] = new JsonArray(new JsonObject { ["id"] = collectionId, ["name"] = Fake.EncString(), ["externalId"] = null }),
            ["collectionRelationships"] = new JsonArray(new JsonObject { ["key"] = 0, ["value"] = 0 }, new JsonObject { ["key"] = 1, ["value"] = 0 }),
        };

        Assert.Equal(HttpStatusCode.BadRequest, await OrgItems.StatusAsync(user.Client.PostJsonAsync(url, Body(user, null))));
        Assert.Equal(NotFound, await OrgItems.StatusAsync(acceptedAdmin.Client.PostJsonAsync(url, Body(acceptedAdmin, null))));
        using (var export = await organization.Owner.Client.GetAsync(organization.Url("/export")))
        {
            Assert.Empty((await export.ExpectObjectAsync()).RequireArray("ciphers"));
        }

        // A collection id of another organization does not put items there: a new collection is made in this one.
        using var imported = await organization.Owner.Client.PostJsonAsync(url, Body(organization.Owner, other.FirstCollectionId!.Value.ToString()));
        await imported.ExpectSuccessAsync();
        using var after = await organization.Owner.Client.GetAsync(organization.Url("/export"));
        var body = await after.ExpectObjectAsync();
        var collections = body.RequireArray("collections").Select(c => c.RequireString("id")).ToList();
        Assert.Equal(2, collections.Count);
        Assert.DoesNotContain(other.FirstCollectionId!.Value.ToString(), collections);
        var ciphers = body.RequireArray("ciphers");
        Assert.Equal(2, ciphers.Count);
        Assert.All(ciphers, c =>
        {
            Assert.Equal(organization.Id.ToString(), (string?)c!["organizationId"]);
            var collectionId = Assert.Single(c.RequireArray("collectionIds"));
            Assert.Contains((string?)collectionId, collections);
        });
        using var otherExport = await other.Owner.Client.GetAsync(other.Url("/export"));
        Assert.Empty((await otherExport.ExpectObjectAsync()).RequireArray("ciphers"));
    }

    [Fact]
    public async Task T13_AcceptedOrRevokedMemberWithCollectionRows_SeesNoOrganizationCollectionOrItem()
    {
        var organization = await OrgHarness.CreateAsync(factory);
        var collection = organization.FirstCollectionId!.Value;
        var item = (await organization.Owner.CreateItemAsync(organization.Id, collection)).RequireString("id");
        var (accepted, _) = await organization.AddAcceptedMemberAsync(collections: [OrgHarness.Access(collection, manage: true)]);
        var (revoked, revokedId) = await organization.AddMemberAsync(collections: [OrgHarness.Access(collection, manage: true)]);
        Assert.NotNull(await revoked.SyncedCipherAsync(item));
        using (var revoke = await organization.Owner.Client.SendEmptyAsync(HttpMethod.Put, organization.Url($"/users/{revokedId}/revoke")))
        {
            await revoke.ExpectStatusAsync(HttpStatusCode.OK);
        }

        foreach (var member in new[] { accepted, revoked })
        {
            var sync = await member.SyncAsync();
            Assert.Empty(sync["profile"].RequireArray("organizations"));
            Assert.Empty(sync.RequireArray("collections"));
            Assert.Empty(sync.RequireArray("policies"));
            Assert.Empty(sync.RequireArray("ciphers"));
            Assert.Equal(NotFound, await OrgItems.StatusAsync(member.Client.GetAsync($"/api/ciphers/{item}")));
            Assert.Equal(NotFound, await OrgItems.StatusAsync(member.Client.GetAsync(organization.Url("/collections/details"))));
            Assert.Equal(NotFound, await OrgItems.StatusAsync(member.Client.GetAsync(organization.Url("/export"))));
            Assert.Equal(NotFound, await OrgItems.StatusAsync(member.CreateItemRequestAsync(organization.Id, collection)));
            using var assigned = await member.Client.GetAsync("/api/collections");
            Assert.Empty((await assigned.ExpectObjectAsync()).RequireArray("data"));
        }
    }

    private static JsonObject WithId(JsonObject cipher, string id)
    {
        cipher["id"] = id;
        return cipher;
    }

    private static async Task<JsonObject> CollectionDetailsAsync(TestOrganization organization, Guid collection)
    {
        using var response = await organization.Owner.Client.GetAsync(organization.Url($"/collections/{collection}/details"));
        return await response.ExpectObjectAsync();
    }

    private static async Task AssertItemIntactAsync(TestAccount owner, string id, Guid collection)
    {
        using var response = await owner.Client.GetAsync($"/api/ciphers/{id}");
        var cipher = await response.ExpectObjectAsync();
        Assert.Null((string?)cipher["deletedDate"]);
        Assert.Equal([collection.ToString()], cipher.RequireArray("collectionIds").Select(c => (string?)c));
    }
}
