using System.Net;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Organizations;

/// <summary>Organization items and collections through the real routes, as the clients send them (doc §5.1, §6.1, §2.6).</summary>
public static class OrgItems
{
    /// <summary>A login item re-encrypted for an organization (the CLI's body with <c>organizationId</c> set).</summary>
    public static JsonObject Item(Guid organizationId, TestAccount by)
    {
        var cipher = Payloads.LoginCipher(encryptedFor: by.UserId);
        cipher["organizationId"] = organizationId.ToString();
        return cipher;
    }

    public static JsonArray Ids(params Guid[] ids) => new([.. ids.Select(id => (JsonNode?)id.ToString())]);

    /// <summary><c>POST /api/ciphers/create</c> <c>{cipher, collectionIds}</c> (what <c>bw create item</c> sends with collections).</summary>
    public static Task<HttpResponseMessage> CreateItemRequestAsync(this TestAccount account, Guid organizationId, params Guid[] collections) =>
        account.Client.PostJsonAsync("/api/ciphers/create", new JsonObject { ["cipher"] = Item(organizationId, account), ["collectionIds"] = Ids(collections) });

    public static async Task<JsonObject> CreateItemAsync(this TestAccount account, Guid organizationId, params Guid[] collections)
    {
        using var response = await account.CreateItemRequestAsync(organizationId, collections);
        return await response.ExpectObjectAsync();
    }

    /// <summary>The caller's personal item moved into <paramref name="organizationId"/> (<c>bw move</c>).</summary>
    public static Task<HttpResponseMessage> ShareRequestAsync(this TestAccount account, string cipherId, Guid organizationId, params Guid[] collections) =>
        account.Client.PutJsonAsync($"/api/ciphers/{cipherId}/share", new JsonObject { ["cipher"] = Item(organizationId, account), ["collectionIds"] = Ids(collections) });

    /// <summary><c>PUT /api/ciphers/{id}/collections_v2</c> (<c>bw edit item-collections</c>).</summary>
    public static Task<HttpResponseMessage> CollectionsV2Async(this TestAccount account, string cipherId, params Guid[] collections) =>
        account.Client.PutJsonAsync($"/api/ciphers/{cipherId}/collections_v2", new JsonObject { ["collectionIds"] = Ids(collections) });

    /// <summary>A collection created by the organization's owner through <c>POST …/collections</c> with these member rows.</summary>
    public static async Task<Guid> CreateCollectionAsync(this TestOrganization organization, params JsonObject[] users)
    {
        using var response = await organization.Owner.Client.PostJsonAsync(organization.Url("/collections"), CollectionBody(users));
        return Guid.Parse((await response.ExpectObjectAsync()).RequireString("id"));
    }

    /// <summary>A collection body as <c>bw create org-collection</c> sends it.</summary>
    public static JsonObject CollectionBody(JsonObject[]? users, JsonObject[]? groups = null) => new()
    {
        ["name"] = Fake.EncString(),
        ["externalId"] = null,
        ["groups"] = groups is null ? null : new JsonArray([.. groups]),
        ["users"] = users is null ? null : new JsonArray([.. users]),
    };

    /// <summary>The status of a request, its body read (so failures show the server's answer).</summary>
    public static async Task<HttpStatusCode> StatusAsync(Task<HttpResponseMessage> request)
    {
        using var response = await request;
        await response.Content.ReadAsStringAsync();
        return response.StatusCode;
    }
}
