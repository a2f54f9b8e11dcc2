using Coffer.Protocol.Crypto;

namespace Coffer.Protocol.Api;

/// <summary><c>POST /identity/accounts/register/send-verification-email</c> (protocol §5.1).</summary>
public sealed record RegisterSendVerificationEmailRequestModel
{
    public string? Email { get; init; }
    public string? Name { get; init; }
    public bool ReceiveMarketingEmails { get; init; }
}

/// <summary>The account's RSA key pair: public key Base64 SPKI, private key an EncString of PKCS#8 under the user key.</summary>
public sealed record KeysRequestModel
{
    public string? PublicKey { get; init; }
    public string? EncryptedPrivateKey { get; init; }
}

public sealed record MasterPasswordAuthenticationModel
{
    public string? Salt { get; init; }
    public KdfSettingsModel? Kdf { get; init; }
    public string? MasterPasswordAuthenticationHash { get; init; }
}

public sealed record MasterPasswordUnlockDataModel
{
    public string? Salt { get; init; }
    public KdfSettingsModel? Kdf { get; init; }
    public string? MasterKeyWrappedUserKey { get; init; }
    public string? ContainedKeyId { get; init; }
}

/// <summary>
/// <c>POST /identity/accounts/register/finish</c>, accepting every client generation (protocol §5.2):
/// flat fields only (older), flat fields plus both objects (current), or the objects only (V2 request).
/// </summary>
public sealed record RegisterFinishRequestModel
{
    public string? Email { get; init; }
    public string? Name { get; init; }
    public string? EmailVerificationToken { get; init; }

    /// <summary>An admin's invitation token on an invite-only server (Coffer's name for it).</summary>
    public string? InviteToken { get; init; }

    /// <summary>Bitwarden's field for an invitation token; Coffer accepts its own invitations here too.</summary>
    public string? OrgInviteToken { get; init; }

    public string? MasterPasswordHint { get; init; }
    public string? UserSymmetricKey { get; init; }
    public KeysRequestModel? UserAsymmetricKeys { get; init; }
    public string? MasterPasswordHash { get; init; }
    public MasterPasswordAuthenticationModel? MasterPasswordAuthentication { get; init; }
    public MasterPasswordUnlockDataModel? MasterPasswordUnlock { get; init; }
    public KdfType? Kdf { get; init; }
    public int? KdfIterations { get; init; }
    public int? KdfMemory { get; init; }
    public int? KdfParallelism { get; init; }
}

/// <summary>Legacy single-request sign-up <c>POST /identity/accounts/register</c> (protocol §5.3).</summary>
public sealed record RegisterRequestModel
{
    public string? Email { get; init; }
    public string? Name { get; init; }
    public string? MasterPasswordHash { get; init; }
    public string? MasterPasswordHint { get; init; }
    public string? Key { get; init; }
    public KeysRequestModel? Keys { get; init; }

    /// <summary>An admin's invitation token on an invite-only server; <see cref="OrgInviteToken"/> is Bitwarden's name.</summary>
    public string? InviteToken { get; init; }

    public string? OrgInviteToken { get; init; }
    public KdfType? Kdf { get; init; }
    public int? KdfIterations { get; init; }
    public int? KdfMemory { get; init; }
    public int? KdfParallelism { get; init; }
}

public sealed record RegisterResponseModel
{
    public string Object { get; init; } = "registerFinish";
}
