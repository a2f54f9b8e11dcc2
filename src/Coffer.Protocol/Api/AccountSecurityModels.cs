using Coffer.Protocol.Crypto;

namespace Coffer.Protocol.Api;

/// <summary>
/// Re-verification of the user (protocol account doc §1): <c>masterPasswordHash</c> is the login hash
/// (Base64 of 32 bytes), exactly what the password grant sends; <c>otp</c> is for accounts without a master
/// password, which Coffer does not have.
/// </summary>
public record SecretVerificationRequestModel
{
    public string? MasterPasswordHash { get; init; }
    public string? Otp { get; init; }
}

/// <summary>
/// <c>POST /api/accounts/password</c> (account doc §3.1). Shape (a) is the flat fields; shape (b) adds
/// <see cref="AuthenticationData"/> and <see cref="UnlockData"/>, which then must agree with the flat fields.
/// </summary>
public sealed record PasswordRequestModel : SecretVerificationRequestModel
{
    public string? NewMasterPasswordHash { get; init; }
    public string? MasterPasswordHint { get; init; }

    /// <summary>The same user key, wrapped by the new stretched master key (EncString type 2).</summary>
    public string? Key { get; init; }

    public MasterPasswordAuthenticationModel? AuthenticationData { get; init; }
    public MasterPasswordUnlockDataModel? UnlockData { get; init; }
}

/// <summary>
/// <c>POST /api/accounts/kdf</c> (account doc §3.2): the objects as the SDK sends them; older clients' flat
/// fields are read only when the objects are absent.
/// </summary>
public sealed record KdfRequestModel : SecretVerificationRequestModel
{
    public MasterPasswordAuthenticationModel? AuthenticationData { get; init; }
    public MasterPasswordUnlockDataModel? UnlockData { get; init; }
    public string? NewMasterPasswordHash { get; init; }
    public string? Key { get; init; }
    public KdfType? Kdf { get; init; }
    public int? KdfIterations { get; init; }
    public int? KdfMemory { get; init; }
    public int? KdfParallelism { get; init; }
}

/// <summary><c>POST /api/accounts/email-token</c> (account doc §3.4 step 1); <c>newEmail</c> trimmed and lowercased.</summary>
public sealed record EmailTokenRequestModel : SecretVerificationRequestModel
{
    public string? NewEmail { get; init; }
}

/// <summary>
/// <c>POST /api/accounts/email</c> (account doc §3.4 step 2): the login hash and the wrapped user key recomputed
/// with the new e-mail as the KDF salt.
/// </summary>
public sealed record EmailRequestModel : SecretVerificationRequestModel
{
    public string? NewEmail { get; init; }
    public string? Token { get; init; }
    public string? NewMasterPasswordHash { get; init; }
    public string? Key { get; init; }
}

/// <summary>
/// <c>POST /api/accounts/verify-password</c> answer (account doc §3.7). Clients call it expecting a body, so the
/// policy comes back even though a personal-vault server has no organisation policies: every field null.
/// </summary>
public sealed record MasterPasswordPolicyResponseModel
{
    public int? MinComplexity { get; init; }
    public int? MinLength { get; init; }
    public bool? RequireLower { get; init; }
    public bool? RequireUpper { get; init; }
    public bool? RequireNumbers { get; init; }
    public bool? RequireSpecial { get; init; }
    public bool? EnforceOnLogin { get; init; }
    public string Object { get; init; } = "masterPasswordPolicy";
}

/// <summary>
/// A device of the caller (account doc §4.1, upstream <c>DeviceResponseModel</c>). <c>type</c> is Bitwarden's
/// DeviceType number; dates are UTC; the trust fields stay null (no trusted-device encryption here).
/// </summary>
public record DeviceResponseModel
{
    public Guid Id { get; init; }
    public required string Name { get; init; }
    public int Type { get; init; }
    public required string Identifier { get; init; }
    public DateTime CreationDate { get; init; }
    public DateTime? LastActivityDate { get; init; }
    public bool IsTrusted { get; init; }
    public string? EncryptedUserKey { get; init; }
    public string? EncryptedPublicKey { get; init; }
    public string Object { get; init; } = "device";
}

/// <summary>The element of <c>GET /api/devices</c> (upstream <c>DeviceAuthRequestResponseModel</c>): a device plus its pending login request.</summary>
public sealed record DeviceAuthRequestResponseModel : DeviceResponseModel
{
    public object? DevicePendingAuthRequest { get; init; }
}
