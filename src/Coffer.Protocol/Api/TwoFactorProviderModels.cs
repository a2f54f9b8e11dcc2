using System.Text.Json.Nodes;

namespace Coffer.Protocol.Api;

/// <summary>
/// The e-mail provider's setup bodies (provider 1): <c>POST /api/two-factor/send-email</c> (<c>email</c>),
/// <c>PUT /api/two-factor/email</c> (<c>email</c> + the mailed <c>token</c>) and <c>DELETE /api/two-factor/email</c>.
/// The proof is <c>userVerificationToken</c> from <c>get-email</c> (current clients) or <c>masterPasswordHash</c> (older ones).
/// </summary>
public sealed record TwoFactorEmailRequestModel : SecretVerificationRequestModel
{
    public string? Email { get; init; }
    public string? Token { get; init; }
    public string? UserVerificationToken { get; init; }
}

/// <summary>
/// <c>POST /api/two-factor/send-email-login</c> (protocol §4.15, unauthenticated): the account's e-mail and the
/// master password hash of the login in progress; the other fields are sent by some clients and not needed.
/// </summary>
public sealed record TwoFactorEmailLoginRequestModel : SecretVerificationRequestModel
{
    public string? Email { get; init; }
    public string? DeviceIdentifier { get; init; }
    public string? AuthRequestId { get; init; }
    public string? SsoEmail2FaSessionToken { get; init; }
}

/// <summary>The inner <c>email</c> object: whether provider 1 is on and the address codes go to.</summary>
public sealed record TwoFactorEmailModel
{
    public bool Enabled { get; init; }
    public required string Email { get; init; }
}

/// <summary>
/// <c>get-email</c> (with <see cref="UserVerificationToken"/>) and <c>PUT email</c> answers in the nested shape the
/// current clients read (<c>two-factor-email.response.ts</c>: <c>getResponseProperty("Email")</c> is the object).
/// The older flat shape put a string in <c>email</c>, so the two cannot be sent together; current clients win.
/// </summary>
public sealed record TwoFactorEmailResponseModel
{
    public required TwoFactorEmailModel Email { get; init; }
    public string? UserVerificationToken { get; init; }
    public string Object { get; init; } = "twoFactorEmail";
}

/// <summary>
/// The security-key bodies (provider 7, <c>bitwarden-sharing-features.md</c> §5.2): <c>get-webauthn-challenge</c>
/// (proof only), <c>PUT /api/two-factor/webauthn</c> (<see cref="Id"/> = slot 1–5, <see cref="Name"/>,
/// <see cref="DeviceResponse"/> = the browser's attestation), <c>DELETE /api/two-factor/webauthn</c> (<see cref="Id"/>)
/// and <c>DELETE /api/two-factor/webauthn/all</c>. The proof is <c>userVerificationToken</c> or <c>masterPasswordHash</c>.
/// </summary>
public sealed record TwoFactorWebAuthnRequestModel : SecretVerificationRequestModel
{
    public int? Id { get; init; }
    public string? Name { get; init; }
    public string? UserVerificationToken { get; init; }

    /// <summary>
    /// <c>{id, rawId, type, extensions, response: {AttestationObject, clientDataJson, transports}}</c>, binary
    /// members in Base64 or base64url (the web vault sends standard Base64 here).
    /// </summary>
    public JsonObject? DeviceResponse { get; init; }
}

/// <summary>One registered security key: <see cref="Id"/> is its slot number; <see cref="Migrated"/> (from U2F) is always false.</summary>
public sealed record TwoFactorWebAuthnKeyModel
{
    public required string Name { get; init; }
    public int Id { get; init; }
    public bool Migrated { get; init; }
}

/// <summary>The inner <c>webAuthn</c> object.</summary>
public sealed record TwoFactorWebAuthnModel
{
    public bool Enabled { get; init; }
    public IReadOnlyList<TwoFactorWebAuthnKeyModel> Keys { get; init; } = [];
}

/// <summary>
/// <c>get-webauthn</c>, <c>PUT webauthn</c> and <c>DELETE webauthn</c> answers (§5.2): the nested <c>webAuthn</c> of
/// current clients plus the flat <c>enabled</c>/<c>keys</c> of older web vaults.
/// </summary>
public sealed record TwoFactorWebAuthnResponseModel
{
    public required TwoFactorWebAuthnModel WebAuthn { get; init; }
    public bool Enabled { get; init; }
    public IReadOnlyList<TwoFactorWebAuthnKeyModel> Keys { get; init; } = [];
    public string? UserVerificationToken { get; init; }
    public string Object { get; init; } = "twoFactorWebAuthn";
}

/// <summary>
/// <c>get-webauthn-challenge</c> (§5.2 step 2): the WebAuthn creation options (<c>PublicKeyCredentialCreationOptions</c>
/// with binary members in base64url) under <c>options</c>; the server also repeats them flat for older web vaults.
/// </summary>
public sealed record TwoFactorWebAuthnChallengeResponseModel
{
    public required JsonObject Options { get; init; }
    public string Object { get; init; } = "twoFactorWebAuthnChallenge";
}
