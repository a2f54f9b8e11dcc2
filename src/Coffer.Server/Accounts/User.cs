using Coffer.Protocol.Crypto;

namespace Coffer.Server.Accounts;

/// <summary>
/// An account. The server holds only what clients produce: the protected user key and key pair are opaque
/// EncStrings, and <see cref="PasswordHash"/> is a PHC-format re-hash of the client's master password hash
/// (never the master password, which no server ever sees).
/// </summary>
public sealed class User
{
    public Guid Id { get; set; }

    /// <summary>Trimmed and lowercased, unique; also the KDF salt (protocol §2.2).</summary>
    public required string Email { get; set; }

    public string? Name { get; set; }
    public string? MasterPasswordHint { get; set; }
    public required string PasswordHash { get; set; }
    public KdfType Kdf { get; set; }
    public int KdfIterations { get; set; }
    public int? KdfMemory { get; set; }
    public int? KdfParallelism { get; set; }

    /// <summary>The user key wrapped by the stretched master key (EncString type 2).</summary>
    public required string Key { get; set; }

    public required string PublicKey { get; set; }
    public required string PrivateKey { get; set; }

    /// <summary>Key id reported by the client (protocol §2.4, §4.8): 32 lowercase hex characters.</summary>
    public string? UserKeyId { get; set; }

    /// <summary>Changing it ends every session: access tokens and refresh tokens carry the stamp they were issued under.</summary>
    public required string SecurityStamp { get; set; }

    public DateTime CreationDate { get; set; }
    /// <summary>Bumped on every change to the account row itself (keys, stamp, key id, name): the sync cache keys on it.</summary>
    public DateTime RevisionDate { get; set; }

    /// <summary>Bumped on every vault change; clients compare it with their last sync (protocol §4.6).</summary>
    public DateTime AccountRevisionDate { get; set; }

    /// <summary>May use <c>/admin</c>; granted only from the command line (<c>coffer-server admin create</c>).</summary>
    public bool IsAdmin { get; set; }

    /// <summary>Set by an admin: the account cannot log in and its tokens are refused.</summary>
    public bool Disabled { get; set; }

    public KdfConfig KdfConfig => new(Kdf, KdfIterations, KdfMemory, KdfParallelism);

    /// <summary>
    /// The authenticator (TOTP) secret, encrypted (<see cref="TwoFactor.TwoFactorSecrets"/>), while two-step login is on; null when off (TwoFactor/). Kept on the
    /// account row, as upstream keeps <c>User.TwoFactorProviders</c>, so the login and profile need no extra query.
    /// </summary>
    public string? TotpSecret { get; set; }

    /// <summary>The last accepted TOTP time step; codes of that step or earlier are refused (RFC 6238 §5.2).</summary>
    public long TotpLastStep { get; set; }

    /// <summary>SHA-256 hex of the normalized recovery code (account doc §2.4); the code itself is never stored.</summary>
    public string? TwoFactorRecoveryCodeHash { get; set; }

    /// <summary>
    /// Two-step login by e-mail (provider 1) is on, and codes go to this address (proven at setup); null when off.
    /// Security keys (provider 7) live in <see cref="TwoFactor.WebAuthnCredential"/> rows instead.
    /// </summary>
    public string? TwoFactorEmail { get; set; }
}
