namespace Coffer.Server.TwoFactor;

/// <summary>Which WebAuthn ceremony a <see cref="WebAuthnChallenge"/> belongs to.</summary>
public enum WebAuthnCeremony
{
    /// <summary>Registering a security key (<c>get-webauthn-challenge</c> → <c>PUT /api/two-factor/webauthn</c>).</summary>
    RegisterSecurityKey = 0,

    /// <summary>The second step of a password login (<c>TwoFactorProviders2["7"]</c> → <c>twoFactorProvider=7</c>).</summary>
    LogInWithSecurityKey = 1,

    /// <summary>Registering a passkey (<c>/api/webauthn/attestation-options</c> → <c>POST /api/webauthn</c>).</summary>
    RegisterPasskey = 2,

    /// <summary>Logging in with a passkey (<c>/identity/accounts/webauthn/assertion-options</c> → <c>grant_type=webauthn</c>); no account yet.</summary>
    LogInWithPasskey = 3,

    /// <summary>Proving a passkey to an authenticated account (<c>/api/webauthn/assertion-options</c>), e.g. to turn on its PRF unlock.</summary>
    VerifyPasskey = 4,
}

/// <summary>
/// The options of a WebAuthn ceremony in progress (table <c>webauthn_challenges</c>): what the server sent
/// (Fido2's <c>CredentialCreateOptions</c> or <c>AssertionOptions</c> as JSON), kept in the database so any node can
/// finish it. Single use: deleted when the answer is checked, whether it passes or not, and expired after
/// <see cref="ExpirationDate"/>. At most one per account and ceremony (a new one replaces the old), except
/// <see cref="WebAuthnCeremony.LogInWithPasskey"/>, which has no account and is found by its <see cref="Id"/>.
/// </summary>
public sealed class WebAuthnChallenge
{
    public Guid Id { get; set; }

    public Guid? UserId { get; set; }

    public WebAuthnCeremony Ceremony { get; set; }

    /// <summary>The options as Fido2 serialized them (<c>ToJson()</c>).</summary>
    public required string Options { get; set; }

    public DateTime ExpirationDate { get; set; }
}
