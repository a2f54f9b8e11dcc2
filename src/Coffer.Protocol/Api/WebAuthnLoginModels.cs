using System.Text.Json;
using System.Text.Json.Serialization;

namespace Coffer.Protocol.Api;

/// <summary>
/// Whether a passkey can unlock the vault (upstream <c>WebAuthnPrfStatus</c>, <c>bitwarden-sharing-features.md</c> §5.6):
/// 0 its PRF key set is stored, 1 the authenticator supports PRF but no key set is stored yet, 2 no PRF.
/// </summary>
public enum WebAuthnPrfStatus
{
    Enabled = 0,
    Supported = 1,
    Unsupported = 2,
}

/// <summary>One passkey in <c>GET /api/webauthn</c> and the answer of <c>POST /api/webauthn</c> (upstream <c>WebAuthnCredentialResponseModel</c>).</summary>
public sealed record WebAuthnCredentialResponseModel
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public WebAuthnPrfStatus PrfStatus { get; init; }
    public string? EncryptedUserKey { get; init; }
    public string? EncryptedPublicKey { get; init; }
    public string Object { get; init; } = "webauthnCredential";
}

/// <summary>
/// <c>POST /api/webauthn/attestation-options</c>: WebAuthn creation options (a discoverable credential with user
/// verification required) and the token that names the stored ceremony for <c>POST /api/webauthn</c>.
/// </summary>
public sealed record WebAuthnCredentialCreateOptionsResponseModel
{
    public required JsonElement Options { get; init; }
    public required string Token { get; init; }
    public string Object { get; init; } = "webauthnCredentialCreateOptions";
}

/// <summary>
/// <c>GET /identity/accounts/webauthn/assertion-options</c> and <c>POST /api/webauthn/assertion-options</c>: WebAuthn
/// request options (no allowed credentials: the authenticator offers its discoverable ones; user verification
/// required) and the token naming the stored challenge, sent back as <c>token</c>.
/// </summary>
public sealed record WebAuthnLoginAssertionOptionsResponseModel
{
    public required JsonElement Options { get; init; }
    public required string Token { get; init; }
    public string Object { get; init; } = "webAuthnLoginAssertionOptions";
}

/// <summary>
/// <c>POST /api/webauthn</c> (upstream <c>WebAuthnLoginCredentialCreateRequestModel</c>): the attestation, its name
/// (at most 50 characters), the token of the creation options, and with PRF the key set: the user key wrapped
/// to the PRF key pair's public key (type 4), that public key under the user key and its private key under the
/// PRF-derived key (type 2). <see cref="DeviceResponse"/> is the browser's <c>PublicKeyCredential</c> as JSON.
/// </summary>
public sealed record WebAuthnLoginCredentialCreateRequestModel
{
    public JsonElement? DeviceResponse { get; init; }
    public string? Name { get; init; }
    public string? Token { get; init; }
    public bool SupportsPrf { get; init; }
    public string? EncryptedUserKey { get; init; }
    public string? EncryptedPublicKey { get; init; }
    public string? EncryptedPrivateKey { get; init; }
}

/// <summary>
/// <c>PUT /api/webauthn</c> (upstream <c>WebAuthnLoginCredentialUpdateRequestModel</c>): an assertion by the passkey
/// over the options of <c>POST /api/webauthn/assertion-options</c>, and the PRF key set to store on it.
/// </summary>
public sealed record WebAuthnLoginCredentialUpdateRequestModel
{
    public JsonElement? DeviceResponse { get; init; }
    public string? Token { get; init; }
    public string? EncryptedUserKey { get; init; }
    public string? EncryptedPublicKey { get; init; }
    public string? EncryptedPrivateKey { get; init; }
}

/// <summary>
/// <c>UserDecryptionOptions.WebAuthnPrfOption</c> of a <c>grant_type=webauthn</c> token response when the passkey
/// has a PRF key set: the client derives the PRF key, unwraps <see cref="EncryptedPrivateKey"/> with it, then
/// <see cref="EncryptedUserKey"/> with that private key.
/// </summary>
public sealed record WebAuthnPrfDecryptionOptionModel
{
    [JsonPropertyName("EncryptedPrivateKey")]
    public required string EncryptedPrivateKey { get; init; }

    [JsonPropertyName("EncryptedUserKey")]
    public required string EncryptedUserKey { get; init; }

    [JsonPropertyName("CredentialId")]
    public required string CredentialId { get; init; }

    [JsonPropertyName("Transports")]
    public required IReadOnlyList<string> Transports { get; init; }
}

/// <summary>One PRF passkey in <c>key-rotation-data</c>'s <c>passkeyKeyData</c> (account doc §3.3).</summary>
public sealed record PasskeyKeyDataModel
{
    public required string Id { get; init; }
    public required string EncryptedPublicKey { get; init; }
    public required string EncryptedUserKey { get; init; }
    public string Object { get; init; } = "passkeyKeyData";
}

/// <summary>One entry of a rotation's <c>passkeyUnlockData</c>: the passkey's PRF public key wrapped again, under the new user key, and the new user key wrapped to that public key.</summary>
public sealed record PasskeyUnlockDataModel
{
    public Guid? Id { get; init; }
    public string? EncryptedUserKey { get; init; }
    public string? EncryptedPublicKey { get; init; }
}
