using Coffer.Protocol.Crypto;

namespace Coffer.Protocol.Api;

/// <summary><c>POST /api/emergency-access/invite</c> (bitwarden-sharing-features.md §4.5): <c>type</c> 0 = View, 1 = Takeover; <c>waitTimeDays</c> ≥ 1.</summary>
public sealed record EmergencyAccessInviteRequestModel
{
    public string? Email { get; init; }
    public int Type { get; init; }
    public int WaitTimeDays { get; init; }
}

/// <summary>
/// <c>PUT /api/emergency-access/{id}</c> (§4.5): new type and wait time; <c>keyEncrypted</c> replaces the wrapped
/// user key only when the grant already has one.
/// </summary>
public sealed record EmergencyAccessUpdateRequestModel
{
    public int Type { get; init; }
    public int WaitTimeDays { get; init; }
    public string? KeyEncrypted { get; init; }
}

/// <summary>
/// A grant as its grantor lists it (<c>GET /api/emergency-access/trusted</c>, <c>GET …/{id}</c>, §4.5,
/// <c>emergencyAccessGranteeDetails</c>). <c>status</c>: 0 Invited, 1 Accepted, 2 Confirmed, 3 RecoveryInitiated,
/// 4 RecoveryApproved (§4.2). <c>granteeId</c> is null until the invitation is accepted.
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
    public DateTime? CreationDate { get; init; }
    public string Object { get; init; } = "emergencyAccessGranteeDetails";
}

/// <summary>A grant as its grantee lists it (<c>GET /api/emergency-access/granted</c>, §4.5, <c>emergencyAccessGrantorDetails</c>).</summary>
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
    public DateTime? CreationDate { get; init; }
    public string Object { get; init; } = "emergencyAccessGrantorDetails";
}

/// <summary>
/// <c>POST /api/emergency-access/{id}/view</c> (§4.5): the grantor's personal items and the grantor's user key
/// encrypted to the grantee's public key (EncString type 4).
/// </summary>
public sealed record EmergencyAccessViewResponseModel
{
    public IReadOnlyList<CipherDetailsResponseModel> Ciphers { get; init; } = [];
    public required string KeyEncrypted { get; init; }
    public string Object { get; init; } = "emergencyAccessView";
}

/// <summary>
/// <c>POST /api/emergency-access/{id}/takeover</c> (§4.5): the grantor's KDF and salt, and the grantor's user key
/// encrypted to the grantee's public key. <c>kdfMemory</c> is in MiB (Argon2id only).
/// </summary>
public sealed record EmergencyAccessTakeoverResponseModel
{
    public KdfType Kdf { get; init; }
    public int KdfIterations { get; init; }
    public int? KdfMemory { get; init; }
    public int? KdfParallelism { get; init; }
    public required string KeyEncrypted { get; init; }
    public string? Salt { get; init; }
    public string Object { get; init; } = "emergencyAccessTakeover";
}

/// <summary>
/// <c>POST /api/emergency-access/{id}/password</c> (§4.5). Two shapes are in circulation: the flat one
/// (<c>newMasterPasswordHash</c>, <c>key</c>, <c>salt</c>) and the newer one (<c>authenticationData</c> +
/// <c>unlockData</c>, the objects of the password-change request). Upstream requires exactly one to be complete.
/// </summary>
public sealed record EmergencyAccessPasswordRequestModel
{
    public string? NewMasterPasswordHash { get; init; }
    public string? Key { get; init; }
    public string? Salt { get; init; }
    public MasterPasswordAuthenticationModel? AuthenticationData { get; init; }
    public MasterPasswordUnlockDataModel? UnlockData { get; init; }
}
