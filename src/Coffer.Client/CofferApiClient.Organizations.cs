using System.Text.Json;
using Coffer.Protocol.Api;

namespace Coffer.Client;

/// <summary>
/// Organization, member, collection and sharing routes (bitwarden-organizations.md §0.1, §3–§6), as the official
/// clients call them. Everything encrypted is built by the caller (<see cref="Crypto.OrganizationKeys"/>,
/// <see cref="Vault.VaultCrypto"/>); the server only stores it.
/// </summary>
public sealed partial class CofferApiClient
{
    /// <summary><c>POST /api/organizations</c> (§2.3): name, billing e-mail, the creator's wrapped key, the org key pair, a first collection name.</summary>
    public Task<OrganizationResponseModel> CreateOrganizationAsync(OrganizationCreateRequestModel request, CancellationToken ct = default) =>
        SendAsync<OrganizationResponseModel>(HttpMethod.Post, "api/organizations", request, authenticated: true, ct);

    /// <summary><c>GET /api/organizations/{id}</c> (§3.1; owners only, 404 otherwise).</summary>
    public Task<OrganizationResponseModel> GetOrganizationAsync(Guid organizationId, CancellationToken ct = default) =>
        SendAsync<OrganizationResponseModel>(HttpMethod.Get, $"api/organizations/{organizationId}", null, authenticated: true, ct);

    /// <summary><c>DELETE /api/organizations/{id}</c> with the owner's master password hash (§3.2): deletes its items too.</summary>
    public Task DeleteOrganizationAsync(Guid organizationId, string masterPasswordHash, CancellationToken ct = default) =>
        SendEmptyAsync(HttpMethod.Delete, $"api/organizations/{organizationId}", new SecretVerificationRequestModel { MasterPasswordHash = masterPasswordHash }, ct);

    /// <summary><c>POST /api/organizations/{id}/leave</c> (§3.2; refused for the last owner).</summary>
    public Task LeaveOrganizationAsync(Guid organizationId, CancellationToken ct = default) =>
        SendEmptyAsync(HttpMethod.Post, $"api/organizations/{organizationId}/leave", null, ct);

    /// <summary><c>GET /api/organizations/{id}/users?includeCollections=true&amp;includeGroups=true</c> (§4.1): members with their direct collection access and groups.</summary>
    public async Task<IReadOnlyList<OrganizationUserDetailsResponseModel>> GetMembersAsync(Guid organizationId, CancellationToken ct = default) =>
        (await SendAsync<ListResponseModel<OrganizationUserDetailsResponseModel>>(
            HttpMethod.Get, $"api/organizations/{organizationId}/users?includeCollections=true&includeGroups=true", null, authenticated: true, ct)).Data;

    /// <summary><c>GET /api/organizations/{id}/users/{memberId}</c> (§4.1): status and user id, read by confirm.</summary>
    public Task<OrganizationUserDetailsResponseModel> GetMemberAsync(Guid organizationId, Guid memberId, CancellationToken ct = default) =>
        SendAsync<OrganizationUserDetailsResponseModel>(HttpMethod.Get, $"api/organizations/{organizationId}/users/{memberId}", null, authenticated: true, ct);

    /// <summary>
    /// <c>POST /api/organizations/{id}/users/invite</c> (§4.2). Returns what the server says about each invitation
    /// (member id, status, the link to pass on when it sends no e-mail); an empty body gives an empty list.
    /// </summary>
    public async Task<IReadOnlyList<OrganizationInvitationResponseModel>> InviteMembersAsync(
        Guid organizationId, OrganizationUserInviteRequestModel request, CancellationToken ct = default)
    {
        using var response = await SendRawAsync(HttpMethod.Post, $"api/organizations/{organizationId}/users/invite", request, authenticated: true, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (string.IsNullOrWhiteSpace(body))
        {
            return [];
        }

        using var doc = JsonDocument.Parse(body);
        var list = doc.RootElement.ValueKind switch
        {
            JsonValueKind.Array => doc.RootElement,
            JsonValueKind.Object when doc.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array => data,
            JsonValueKind.Object => default,
            _ => default,
        };
        if (list.ValueKind == JsonValueKind.Array)
        {
            return list.Deserialize<List<OrganizationInvitationResponseModel>>(CofferJson.Options) ?? [];
        }

        return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("email", out _)
            ? [doc.RootElement.Deserialize<OrganizationInvitationResponseModel>(CofferJson.Options)!]
            : [];
    }

    /// <summary><c>GET /api/users/{userId}/public-key</c> (§2.4): the Base64 SPKI the org key is wrapped for.</summary>
    public Task<UserKeyResponseModel> GetUserPublicKeyAsync(Guid userId, CancellationToken ct = default) =>
        SendAsync<UserKeyResponseModel>(HttpMethod.Get, $"api/users/{userId}/public-key", null, authenticated: true, ct);

    /// <summary>
    /// <c>POST /api/organizations/{id}/users/{memberId}/accept</c> <c>{token, resetPasswordKey: null}</c> (§4.3), as the
    /// invitee. Coffer has no account recovery, so <c>resetPasswordKey</c> is always null: no client path ever wraps the
    /// user key for an organization (malicious-server.md BW01).
    /// </summary>
    public Task AcceptInvitationAsync(Guid organizationId, Guid memberId, string token, CancellationToken ct = default) =>
        SendEmptyAsync(
            HttpMethod.Post,
            $"api/organizations/{organizationId}/users/{memberId}/accept",
            new OrganizationUserAcceptRequestModel { Token = token, ResetPasswordKey = null },
            ct);

    /// <summary><c>GET /api/organizations/{id}/public-key</c> (§3.2, any Confirmed member): the organization's Base64 SPKI.</summary>
    /// <exception cref="CofferApiException">Not a Confirmed member, or the server sent no key.</exception>
    public async Task<string> GetOrganizationPublicKeyAsync(Guid organizationId, CancellationToken ct = default)
    {
        var answer = await SendAsync<OrganizationPublicKeyResponseModel>(HttpMethod.Get, $"api/organizations/{organizationId}/public-key", null, authenticated: true, ct);
        return answer.PublicKey is { Length: > 0 } key
            ? key
            : throw new CofferApiException(System.Net.HttpStatusCode.OK, "The server sent no public key for the organization.");
    }

    /// <summary><c>POST /api/organizations/{id}/users/{memberId}/confirm</c> <c>{key}</c> (§4.4): the org key wrapped for the member (type 4).</summary>
    public Task ConfirmMemberAsync(Guid organizationId, Guid memberId, string wrappedOrgKey, CancellationToken ct = default) =>
        SendEmptyAsync(HttpMethod.Post, $"api/organizations/{organizationId}/users/{memberId}/confirm", new OrganizationUserConfirmRequestModel { Key = wrappedOrgKey }, ct);

    /// <summary><c>PUT /api/organizations/{id}/users/{memberId}</c> (§4.5): replaces type, permissions, collection access and groups.</summary>
    public Task UpdateMemberAsync(Guid organizationId, Guid memberId, OrganizationUserUpdateRequestModel request, CancellationToken ct = default) =>
        SendEmptyAsync(HttpMethod.Put, $"api/organizations/{organizationId}/users/{memberId}", request, ct);

    /// <summary><c>PUT /api/organizations/{id}/users/{memberId}/revoke</c> (§4.5).</summary>
    public Task RevokeMemberAsync(Guid organizationId, Guid memberId, CancellationToken ct = default) =>
        SendEmptyAsync(HttpMethod.Put, $"api/organizations/{organizationId}/users/{memberId}/revoke", null, ct);

    /// <summary><c>PUT /api/organizations/{id}/users/{memberId}/restore</c> (§4.5).</summary>
    public Task RestoreMemberAsync(Guid organizationId, Guid memberId, CancellationToken ct = default) =>
        SendEmptyAsync(HttpMethod.Put, $"api/organizations/{organizationId}/users/{memberId}/restore", null, ct);

    /// <summary><c>DELETE /api/organizations/{id}/users/{memberId}</c> (§4.5): the organization's items stay.</summary>
    public Task RemoveMemberAsync(Guid organizationId, Guid memberId, CancellationToken ct = default) =>
        SendEmptyAsync(HttpMethod.Delete, $"api/organizations/{organizationId}/users/{memberId}", null, ct);

    /// <summary><c>GET /api/organizations/{id}/groups</c> (§1.5): groups with their collection access.</summary>
    public async Task<IReadOnlyList<GroupResponseModel>> GetGroupsAsync(Guid organizationId, CancellationToken ct = default) =>
        (await SendAsync<ListResponseModel<GroupResponseModel>>(HttpMethod.Get, $"api/organizations/{organizationId}/groups", null, authenticated: true, ct)).Data;

    /// <summary><c>GET /api/organizations/{id}/collections/details</c> (§5.2): collections with their <c>users</c> and <c>groups</c> (all of them for admins, assigned ones for others).</summary>
    public async Task<IReadOnlyList<CollectionResponseModel>> GetCollectionDetailsAsync(Guid organizationId, CancellationToken ct = default) =>
        (await SendAsync<ListResponseModel<CollectionResponseModel>>(
            HttpMethod.Get, $"api/organizations/{organizationId}/collections/details", null, authenticated: true, ct)).Data;

    /// <summary><c>POST /api/organizations/{id}/collections</c> (§5.2): name encrypted under the org key.</summary>
    public Task<CollectionResponseModel> CreateCollectionAsync(Guid organizationId, CollectionRequestModel request, CancellationToken ct = default) =>
        SendAsync<CollectionResponseModel>(HttpMethod.Post, $"api/organizations/{organizationId}/collections", request, authenticated: true, ct);

    /// <summary><c>PUT /api/organizations/{id}/collections/{collectionId}</c> (§5.2); null <c>users</c>/<c>groups</c> keep the access as it is (P16).</summary>
    public Task<CollectionResponseModel> UpdateCollectionAsync(Guid organizationId, Guid collectionId, CollectionRequestModel request, CancellationToken ct = default) =>
        SendAsync<CollectionResponseModel>(HttpMethod.Put, $"api/organizations/{organizationId}/collections/{collectionId}", request, authenticated: true, ct);

    /// <summary><c>DELETE /api/organizations/{id}/collections/{collectionId}</c> (§5.2): its items stay in the organization.</summary>
    public Task DeleteCollectionAsync(Guid organizationId, Guid collectionId, CancellationToken ct = default) =>
        SendEmptyAsync(HttpMethod.Delete, $"api/organizations/{organizationId}/collections/{collectionId}", null, ct);

    /// <summary><c>POST /api/ciphers/create</c> <c>{cipher, collectionIds}</c> (§6.1): a new organization item in these collections.</summary>
    public Task<CipherDetailsResponseModel> CreateOrganizationCipherAsync(CipherRequestModel cipher, IReadOnlyList<Guid> collectionIds, CancellationToken ct = default) =>
        SendAsync<CipherDetailsResponseModel>(
            HttpMethod.Post, "api/ciphers/create", new CipherCreateRequestModel { Cipher = cipher, CollectionIds = collectionIds }, authenticated: true, ct);

    /// <summary><c>PUT /api/ciphers/{id}/share</c> (§2.6): a personal item, re-encrypted under the org key, moved into these collections.</summary>
    public Task<CipherDetailsResponseModel> ShareCipherAsync(Guid cipherId, CipherRequestModel cipher, IReadOnlyList<Guid> collectionIds, CancellationToken ct = default) =>
        SendAsync<CipherDetailsResponseModel>(
            HttpMethod.Put, $"api/ciphers/{cipherId}/share", new CipherShareRequestModel { Cipher = cipher, CollectionIds = collectionIds }, authenticated: true, ct);

    /// <summary><c>PUT /api/ciphers/{id}/collections_v2</c> (§6.2): the item's new collection set.</summary>
    public async Task UpdateCipherCollectionsAsync(Guid cipherId, IReadOnlyList<Guid> collectionIds, CancellationToken ct = default) =>
        await SendEmptyAsync(HttpMethod.Put, $"api/ciphers/{cipherId}/collections_v2", new CipherCollectionsRequestModel { CollectionIds = collectionIds }, ct);

    /// <summary><c>GET /api/organizations/{id}/export</c> (§6.4; admins and owners): every collection and item of the organization.</summary>
    public Task<OrganizationExportResponseModel> ExportOrganizationAsync(Guid organizationId, CancellationToken ct = default) =>
        SendAsync<OrganizationExportResponseModel>(HttpMethod.Get, $"api/organizations/{organizationId}/export", null, authenticated: true, ct);

    /// <summary><c>GET /api/organizations/{id}/events</c> (issue 11 point 8; owners and admins): one page of the organization's audit events.</summary>
    public Task<ListResponseModel<EventResponseModel>> GetOrganizationEventsAsync(Guid organizationId, string? continuationToken, CancellationToken ct = default) =>
        SendAsync<ListResponseModel<EventResponseModel>>(
            HttpMethod.Get,
            continuationToken is null
                ? $"api/organizations/{organizationId}/events"
                : $"api/organizations/{organizationId}/events?continuationToken={Uri.EscapeDataString(continuationToken)}",
            null,
            authenticated: true,
            ct);

    private async Task SendEmptyAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var response = await SendRawAsync(method, path, body, authenticated: true, ct);
    }
}
