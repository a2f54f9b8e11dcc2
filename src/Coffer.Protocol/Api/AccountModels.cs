using System.Text.Json.Serialization;
using Coffer.Protocol.Crypto;

namespace Coffer.Protocol.Api;

/// <summary>
/// <c>AccountKeys</c> / <c>accountKeys</c>. The CLI reads everything inside it case-sensitively in camelCase
/// (protocol §6), so every name here is pinned.
/// </summary>
public sealed record AccountKeysModel
{
    [JsonPropertyName("publicKeyEncryptionKeyPair")]
    public required PublicKeyEncryptionKeyPairModel PublicKeyEncryptionKeyPair { get; init; }

    [JsonPropertyName("signatureKeyPair")]
    public object? SignatureKeyPair { get; init; }

    [JsonPropertyName("securityState")]
    public object? SecurityState { get; init; }

    [JsonPropertyName("object")]
    public string Object { get; init; } = "privateKeys";
}

public sealed record PublicKeyEncryptionKeyPairModel
{
    [JsonPropertyName("wrappedPrivateKey")]
    public required string WrappedPrivateKey { get; init; }

    [JsonPropertyName("publicKey")]
    public required string PublicKey { get; init; }

    [JsonPropertyName("signedPublicKey")]
    public string? SignedPublicKey { get; init; }

    [JsonPropertyName("object")]
    public string Object { get; init; } = "publicKeyEncryptionKeyPair";
}

/// <summary>The data a client needs to unlock with the master password (sync <c>userDecryption</c>, protocol §4.4).</summary>
public sealed record MasterPasswordUnlockResponseModel
{
    public required KdfSettingsModel Kdf { get; init; }
    public required string MasterKeyEncryptedUserKey { get; init; }
    public required string MasterKeyWrappedUserKey { get; init; }
    public required string Salt { get; init; }
}

public sealed record UserDecryptionResponseModel
{
    public required MasterPasswordUnlockResponseModel MasterPasswordUnlock { get; init; }
    public string? UserKeyId { get; init; }
}

/// <summary>Profile (protocol §4.5); <c>id</c> equals the access token's <c>sub</c>.</summary>
public sealed record ProfileResponseModel
{
    public Guid Id { get; init; }
    public string? Name { get; init; }
    public required string Email { get; init; }
    public bool EmailVerified { get; init; } = true;
    public bool Premium { get; init; } = true;
    public bool PremiumFromOrganization { get; init; }
    public string Culture { get; init; } = "en-US";
    public bool TwoFactorEnabled { get; init; }
    public required string Key { get; init; }
    public required string PrivateKey { get; init; }
    public required AccountKeysModel AccountKeys { get; init; }
    public required string SecurityStamp { get; init; }
    /// <summary>Confirmed memberships only, each with its wrapped organization key (bitwarden-organizations.md §7.1).</summary>
    public IReadOnlyList<ProfileOrganizationResponseModel> Organizations { get; init; } = [];
    public IReadOnlyList<object> Providers { get; init; } = [];
    public IReadOnlyList<object> ProviderOrganizations { get; init; } = [];
    public bool ForcePasswordReset { get; init; }
    public string? AvatarColor { get; init; }
    public bool UsesKeyConnector { get; init; }
    public DateTime CreationDate { get; init; }
    public string Object { get; init; } = "profile";
}

/// <summary><c>POST /api/accounts/key-management/user-key-id</c> body (protocol §4.8): 32 lowercase hex characters.</summary>
public sealed record UserKeyIdRequestModel
{
    public string? UserKeyId { get; init; }
}

/// <summary>The master-password unlock data of the token response, in upstream's PascalCase.</summary>
public sealed record TokenMasterPasswordUnlockModel
{
    [JsonPropertyName("Kdf")]
    public required TokenKdfModel Kdf { get; init; }

    [JsonPropertyName("MasterKeyEncryptedUserKey")]
    public required string MasterKeyEncryptedUserKey { get; init; }

    [JsonPropertyName("MasterKeyWrappedUserKey")]
    public required string MasterKeyWrappedUserKey { get; init; }

    [JsonPropertyName("Salt")]
    public required string Salt { get; init; }
}

public sealed record TokenKdfModel
{
    [JsonPropertyName("KdfType")]
    public KdfType KdfType { get; init; }

    [JsonPropertyName("Iterations")]
    public int Iterations { get; init; }

    [JsonPropertyName("Memory")]
    public int? Memory { get; init; }

    [JsonPropertyName("Parallelism")]
    public int? Parallelism { get; init; }
}

public sealed record UserDecryptionOptionsModel
{
    [JsonPropertyName("HasMasterPassword")]
    public bool HasMasterPassword { get; init; } = true;

    [JsonPropertyName("MasterPasswordUnlock")]
    public required TokenMasterPasswordUnlockModel MasterPasswordUnlock { get; init; }

    /// <summary>Only after <c>grant_type=webauthn</c> with a passkey that has a PRF key set (<c>bitwarden-sharing-features.md</c> §5.6).</summary>
    [JsonPropertyName("WebAuthnPrfOption")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public WebAuthnPrfDecryptionOptionModel? WebAuthnPrfOption { get; init; }

    [JsonPropertyName("Object")]
    public string Object { get; init; } = "userDecryptionOptions";
}

/// <summary>
/// <c>POST /identity/connect/token</c> success (protocol §4.3.1): snake_case OAuth fields (RFC 6749 §5.1)
/// plus upstream's PascalCase account fields; <c>AccountKeys</c> keeps its camelCase inside.
/// <c>Key</c>, <c>PrivateKey</c>, <c>AccountKeys</c>, KDF and <c>UserDecryptionOptions</c> are null on a refresh grant.
/// </summary>
public sealed record IdentityTokenResponseModel
{
    [JsonPropertyName("access_token")]
    public required string AccessToken { get; init; }

    [JsonPropertyName("expires_in")]
    public int ExpiresIn { get; init; }

    [JsonPropertyName("token_type")]
    public string TokenType { get; init; } = "Bearer";

    [JsonPropertyName("refresh_token")]
    public required string RefreshToken { get; init; }

    [JsonPropertyName("scope")]
    public string Scope { get; init; } = "api offline_access";

    [JsonPropertyName("Key")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Key { get; init; }

    [JsonPropertyName("PrivateKey")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PrivateKey { get; init; }

    [JsonPropertyName("AccountKeys")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AccountKeysModel? AccountKeys { get; init; }

    [JsonPropertyName("Kdf")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public KdfType? Kdf { get; init; }

    [JsonPropertyName("KdfIterations")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? KdfIterations { get; init; }

    [JsonPropertyName("KdfMemory")]
    public int? KdfMemory { get; init; }

    [JsonPropertyName("KdfParallelism")]
    public int? KdfParallelism { get; init; }

    [JsonPropertyName("ResetMasterPassword")]
    public bool ResetMasterPassword { get; init; }

    [JsonPropertyName("ForcePasswordReset")]
    public bool ForcePasswordReset { get; init; }

    [JsonPropertyName("UserDecryptionOptions")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public UserDecryptionOptionsModel? UserDecryptionOptions { get; init; }

    /// <summary>The two-factor remember token, only after a 2FA login with <c>twoFactorRemember=1</c> (account doc §2.5).</summary>
    [JsonPropertyName("TwoFactorToken")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TwoFactorToken { get; init; }
}
