using System.Text.Json;
using System.Text.Json.Serialization;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;

namespace Coffer.Server.Emergency;

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
/// <c>POST /api/emergency-access/{id}/password</c> (§4.5), either shape: flat (<c>newMasterPasswordHash</c>, <c>key</c>,
/// optional <c>salt</c>) or the objects of the password change (<c>authenticationData</c> + <c>unlockData</c>,
/// <c>bitwarden-account.md</c> §3.1 (b)). When both are sent they must agree.
/// </summary>
public sealed record EmergencyAccessPasswordRequestModel
{
    public string? NewMasterPasswordHash { get; init; }
    public string? Key { get; init; }
    public string? Salt { get; init; }
    public MasterPasswordAuthenticationModel? AuthenticationData { get; init; }
    public MasterPasswordUnlockDataModel? UnlockData { get; init; }
}

/// <summary>
/// A grant as its grantor sees it (<c>GET …/trusted</c>, <c>GET …/{id}</c>; upstream <c>EmergencyAccessGranteeDetailsResponseModel</c>).
/// Before acceptance <c>granteeId</c> and <c>name</c> are null and <c>email</c> is the invited address.
/// </summary>
public sealed record EmergencyAccessGranteeDetailsResponseModel
{
    public Guid Id { get; init; }
    public int Status { get; init; }
    public int Type { get; init; }
    public int WaitTimeDays { get; init; }
    public Guid? GranteeId { get; init; }
    public string? Email { get; init; }
    public string? Name { get; init; }
    public string? AvatarColor { get; init; }
    public DateTime CreationDate { get; init; }
    [JsonPropertyName("object")]
    public string ObjectName { get; init; } = "emergencyAccessGranteeDetails";
}

/// <summary>A grant as its grantee sees it (<c>GET …/granted</c>; upstream <c>EmergencyAccessGrantorDetailsResponseModel</c>).</summary>
public sealed record EmergencyAccessGrantorDetailsResponseModel
{
    public Guid Id { get; init; }
    public int Status { get; init; }
    public int Type { get; init; }
    public int WaitTimeDays { get; init; }
    public Guid GrantorId { get; init; }
    public string? Email { get; init; }
    public string? Name { get; init; }
    public string? AvatarColor { get; init; }
    public DateTime CreationDate { get; init; }
    [JsonPropertyName("object")]
    public string ObjectName { get; init; } = "emergencyAccessGrantorDetails";
}

/// <summary>
/// <c>POST …/{id}/takeover</c> (§4.5): what the grantee's client needs to derive a new master key for the grantor:
/// the grantor's KDF (memory in MiB, Argon2id only), the salt (the grantor's e-mail), and the grantor's user key
/// encrypted to the grantee.
/// </summary>
public sealed record EmergencyAccessTakeoverResponseModel
{
    public KdfType Kdf { get; init; }
    public int KdfIterations { get; init; }
    public int? KdfMemory { get; init; }
    public int? KdfParallelism { get; init; }
    public required string KeyEncrypted { get; init; }
    public required string Salt { get; init; }
    [JsonPropertyName("object")]
    public string ObjectName { get; init; } = "emergencyAccessTakeover";
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
