using System.Text.Json;
using Coffer.Protocol.Api;

namespace Coffer.Client;

/// <summary>
/// Emergency access routes (bitwarden-sharing-features.md §4.5), grantor and grantee sides. Keys are wrapped and
/// unwrapped by the caller (<see cref="Emergency.EmergencyAccessCrypto"/>); the server answers 400 with
/// "Emergency Access not valid." for a grant in the wrong state or of another user, never 403.
/// </summary>
public sealed partial class CofferApiClient
{
    /// <summary><c>GET /api/emergency-access/trusted</c>: the grants where the caller is the grantor (their trusted contacts).</summary>
    public async Task<IReadOnlyList<EmergencyAccessGranteeDetailsResponseModel>> GetTrustedEmergencyContactsAsync(CancellationToken ct = default) =>
        (await SendAsync<ListResponseModel<EmergencyAccessGranteeDetailsResponseModel>>(HttpMethod.Get, "api/emergency-access/trusted", null, authenticated: true, ct)).Data;

    /// <summary><c>GET /api/emergency-access/granted</c>: the grants where the caller is the grantee (contacts who trust them).</summary>
    public async Task<IReadOnlyList<EmergencyAccessGrantorDetailsResponseModel>> GetGrantedEmergencyAccessAsync(CancellationToken ct = default) =>
        (await SendAsync<ListResponseModel<EmergencyAccessGrantorDetailsResponseModel>>(HttpMethod.Get, "api/emergency-access/granted", null, authenticated: true, ct)).Data;

    /// <summary><c>GET /api/emergency-access/{id}</c> (grantor).</summary>
    public Task<EmergencyAccessGranteeDetailsResponseModel> GetEmergencyAccessAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<EmergencyAccessGranteeDetailsResponseModel>(HttpMethod.Get, $"api/emergency-access/{id}", null, authenticated: true, ct);

    /// <summary><c>PUT /api/emergency-access/{id}</c> (grantor): type and wait time; <c>keyEncrypted</c> only replaces an existing key.</summary>
    public Task UpdateEmergencyAccessAsync(Guid id, EmergencyAccessUpdateRequestModel request, CancellationToken ct = default) =>
        SendEmptyAsync(HttpMethod.Put, $"api/emergency-access/{id}", request, ct);

    /// <summary><c>DELETE /api/emergency-access/{id}</c> (grantor or grantee): the grant is gone for both.</summary>
    public Task DeleteEmergencyAccessAsync(Guid id, CancellationToken ct = default) =>
        SendEmptyAsync(HttpMethod.Delete, $"api/emergency-access/{id}", null, ct);

    /// <summary><c>POST /api/emergency-access/invite</c> <c>{email, type, waitTimeDays}</c> (grantor).</summary>
    public Task InviteEmergencyContactAsync(EmergencyAccessInviteRequestModel request, CancellationToken ct = default) =>
        SendEmptyAsync(HttpMethod.Post, "api/emergency-access/invite", request, ct);

    /// <summary><c>POST /api/emergency-access/{id}/reinvite</c> (grantor, status Invited): mails the invitation again.</summary>
    public Task ReinviteEmergencyContactAsync(Guid id, CancellationToken ct = default) =>
        SendEmptyAsync(HttpMethod.Post, $"api/emergency-access/{id}/reinvite", null, ct);

    /// <summary><c>POST /api/emergency-access/{id}/accept</c> <c>{token}</c> (the invited user, with the token of the mailed link).</summary>
    public Task AcceptEmergencyAccessAsync(Guid id, string token, CancellationToken ct = default) =>
        SendEmptyAsync(HttpMethod.Post, $"api/emergency-access/{id}/accept", new OrganizationUserAcceptRequestModel { Token = token }, ct);

    /// <summary><c>POST /api/emergency-access/{id}/confirm</c> <c>{key}</c> (grantor, status Accepted): the user key wrapped for the grantee (type 4).</summary>
    public Task ConfirmEmergencyAccessAsync(Guid id, string wrappedUserKey, CancellationToken ct = default) =>
        SendEmptyAsync(HttpMethod.Post, $"api/emergency-access/{id}/confirm", new OrganizationUserConfirmRequestModel { Key = wrappedUserKey }, ct);

    /// <summary><c>POST /api/emergency-access/{id}/initiate</c> (grantee, status Confirmed): asks for access; the wait time starts.</summary>
    public Task InitiateEmergencyAccessAsync(Guid id, CancellationToken ct = default) =>
        SendEmptyAsync(HttpMethod.Post, $"api/emergency-access/{id}/initiate", null, ct);

    /// <summary><c>POST /api/emergency-access/{id}/approve</c> (grantor, status RecoveryInitiated).</summary>
    public Task ApproveEmergencyAccessAsync(Guid id, CancellationToken ct = default) =>
        SendEmptyAsync(HttpMethod.Post, $"api/emergency-access/{id}/approve", null, ct);

    /// <summary><c>POST /api/emergency-access/{id}/reject</c> (grantor, status RecoveryInitiated or RecoveryApproved): back to Confirmed.</summary>
    public Task RejectEmergencyAccessAsync(Guid id, CancellationToken ct = default) =>
        SendEmptyAsync(HttpMethod.Post, $"api/emergency-access/{id}/reject", null, ct);

    /// <summary><c>POST /api/emergency-access/{id}/view</c> (grantee, View grant approved): the grantor's items and wrapped key.</summary>
    public Task<EmergencyAccessViewResponseModel> ViewEmergencyAccessAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<EmergencyAccessViewResponseModel>(HttpMethod.Post, $"api/emergency-access/{id}/view", null, authenticated: true, ct);

    /// <summary><c>GET /api/emergency-access/{id}/{cipherId}/attachment/{attachmentId}</c> (grantee, View grant approved): a fresh download URL.</summary>
    public Task<AttachmentResponseModel> GetEmergencyAccessAttachmentAsync(Guid id, Guid cipherId, string attachmentId, CancellationToken ct = default) =>
        SendAsync<AttachmentResponseModel>(
            HttpMethod.Get, $"api/emergency-access/{id}/{cipherId}/attachment/{Uri.EscapeDataString(attachmentId)}", null, authenticated: true, ct);

    /// <summary><c>POST /api/emergency-access/{id}/takeover</c> (grantee, Takeover grant approved): the grantor's KDF, salt and wrapped key.</summary>
    public Task<EmergencyAccessTakeoverResponseModel> TakeoverEmergencyAccessAsync(Guid id, CancellationToken ct = default) =>
        SendAsync<EmergencyAccessTakeoverResponseModel>(HttpMethod.Post, $"api/emergency-access/{id}/takeover", null, authenticated: true, ct);

    /// <summary><c>POST /api/emergency-access/{id}/password</c> (grantee, after takeover): the grantor's new login hash and wrapped user key.</summary>
    public Task SetEmergencyAccessPasswordAsync(Guid id, EmergencyAccessPasswordRequestModel request, CancellationToken ct = default) =>
        SendEmptyAsync(HttpMethod.Post, $"api/emergency-access/{id}/password", request, ct);

    /// <summary>
    /// <c>GET /api/emergency-access/{id}/policies</c> (grantee, Takeover grant approved): the grantor's organization
    /// policies, which a new master password must meet; <c>data: null</c> (no organization) is an empty list.
    /// </summary>
    public async Task<IReadOnlyList<PolicyResponseModel>> GetEmergencyAccessPoliciesAsync(Guid id, CancellationToken ct = default)
    {
        using var response = await SendRawAsync(HttpMethod.Get, $"api/emergency-access/{id}/policies", null, authenticated: true, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (string.IsNullOrWhiteSpace(body))
        {
            return [];
        }

        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array
            ? data.Deserialize<List<PolicyResponseModel>>(CofferJson.Options) ?? []
            : [];
    }
}
