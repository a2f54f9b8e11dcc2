using System.Text.Json;
using System.Text.Json.Serialization;

namespace Coffer.Server.Emergency;

// Wire models the clients share live in Coffer.Protocol.Api (EmergencyAccessModels.cs); these are the server-only ones.
// The wire names are upstream's; Bitwarden's discriminator is literally "object" (protocol §6), a name C# properties avoid.

/// <summary>
/// <c>POST /api/emergency-access/invite</c> (<c>bitwarden-sharing-features.md</c> §4.5): <c>type</c> 0 (View) or 1
/// (Takeover), also the strings <c>"View"</c> / <c>"Takeover"</c> as Vaultwarden reads them; <c>waitTimeDays</c> 1–32767.
/// </summary>
public sealed record EmergencyAccessInviteRequestModel
{
    public string? Email { get; init; }
    public JsonElement? Type { get; init; }
    public int? WaitTimeDays { get; init; }
}

/// <summary>
/// <c>PUT|POST /api/emergency-access/{id}</c> (§4.5): type and wait time; <c>keyEncrypted</c> replaces the stored key
/// only when the grant already has one (older web vaults rotated keys this way).
/// </summary>
public sealed record EmergencyAccessUpdateRequestModel
{
    public JsonElement? Type { get; init; }
    public int? WaitTimeDays { get; init; }
    public string? KeyEncrypted { get; init; }
}

/// <summary><c>POST /api/emergency-access/{id}/accept</c>: the token of the invitation link (§4.7).</summary>
public sealed record EmergencyAccessAcceptRequestModel
{
    public string? Token { get; init; }
}

/// <summary><c>POST /api/emergency-access/{id}/confirm</c>: the grantor's user key encrypted to the grantee's public key (§4.4).</summary>
public sealed record EmergencyAccessConfirmRequestModel
{
    public string? Key { get; init; }
}

/// <summary>
/// An entry of <c>emergencyAccessKeyData</c> in <c>GET /api/accounts/key-management/key-rotation-data</c>
/// (<c>bitwarden-account.md</c> §3.3): a grant with a key and the grantee's public key to re-wrap the new user key to.
/// </summary>
public sealed record EmergencyAccessKeyDataResponseModel
{
    public Guid Id { get; init; }
    public Guid GranteeId { get; init; }
    public string? GranteeName { get; init; }
    public required string GranteeEmail { get; init; }
    public required string PublicKey { get; init; }
    [JsonPropertyName("object")]
    public string ObjectName { get; init; } = "emergencyAccessKeyData";
}

/// <summary>An entry of <c>accountUnlockData.emergencyAccessUnlockData</c>: <c>type</c> and <c>waitTimeDays</c> are ignored (§3.3).</summary>
public sealed record EmergencyAccessWithIdRequestModel
{
    public Guid? Id { get; init; }
    public string? KeyEncrypted { get; init; }
}
