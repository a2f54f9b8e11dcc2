namespace Coffer.Server.TwoFactor;

/// <summary>What a <see cref="WebAuthnCredential"/> is for.</summary>
public enum WebAuthnCredentialKind
{
    /// <summary>A security key as the second step of a password login (two-step provider 7, <c>bitwarden-sharing-features.md</c> §5.2–§5.5).</summary>
    SecurityKey = 0,

    /// <summary>A discoverable passkey that logs in without the master password (§5.6), unlocking with PRF when it supports it.</summary>
    Passkey = 1,
}

/// <summary>
/// A WebAuthn public-key credential registered by an account (table <c>webauthn_credentials</c>), verified and read
/// with the Fido2 library. <see cref="CredentialId"/> is unique across all accounts.
/// </summary>
public sealed class WebAuthnCredential
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public WebAuthnCredentialKind Kind { get; set; }

    /// <summary>Security keys: the slot number the client chose (1–5, the <c>id</c> of the protocol's key list); passkeys: 0.</summary>
    public int SlotId { get; set; }

    /// <summary>The name the user gave it (at most 50 characters).</summary>
    public required string Name { get; set; }

    /// <summary>The credential id as base64url without padding (WebAuthn §6.1: at most 1023 bytes).</summary>
    public required string CredentialId { get; set; }

    /// <summary>The credential public key, COSE_Key encoded (RFC 9052 §7) as the authenticator returned it.</summary>
    public required byte[] PublicKey { get; set; }

    /// <summary>The last signature counter seen (WebAuthn §6.1.1); 0 for authenticators that keep none.</summary>
    public long SignCount { get; set; }

    /// <summary>The transports the authenticator reported (<c>usb</c>, <c>nfc</c>, <c>internal</c>, …), comma-separated.</summary>
    public string? Transports { get; set; }

    public Guid AaGuid { get; set; }

    /// <summary>Backup eligibility and state flags (WebAuthn §6.1, BE and BS): a synced passkey has both.</summary>
    public bool IsBackupEligible { get; set; }

    public bool IsBackedUp { get; set; }

    /// <summary>Passkeys: the authenticator evaluated the PRF extension at registration, so it can unlock the vault.</summary>
    public bool SupportsPrf { get; set; }

    /// <summary>Passkeys with PRF: the user key wrapped with the PRF-derived key's public key (opaque EncString, §5.6).</summary>
    public string? EncryptedUserKey { get; set; }

    /// <summary>Passkeys with PRF: the PRF key pair's public key, wrapped with the user key (opaque EncString).</summary>
    public string? EncryptedPublicKey { get; set; }

    /// <summary>Passkeys with PRF: the PRF key pair's private key, wrapped with the PRF-derived key (opaque EncString).</summary>
    public string? EncryptedPrivateKey { get; set; }

    public DateTime CreationDate { get; set; }

    public DateTime? LastUsedDate { get; set; }
}
