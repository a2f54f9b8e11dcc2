using Coffer.Protocol.Api;

namespace Coffer.Cli.Storage;

/// <summary>config.json: settings that survive logout, including this installation's device id.</summary>
public sealed record CliConfig
{
    public string? Server { get; init; }
    public string? DeviceId { get; init; }
}

/// <summary>
/// session.json: what a logged-in CLI keeps between runs. Everything secret in it is either a bearer token or
/// encrypted: the user key stays wrapped under the master password (<see cref="ProtectedUserKey"/>) and the vault
/// data is the server's EncStrings. <see cref="Unlocked"/> holds the user key under a session key that is never on disk.
/// </summary>
public sealed record SessionState
{
    public required string Server { get; init; }
    public required string Email { get; init; }
    public required KdfSettingsModel Kdf { get; init; }
    public required string DeviceId { get; init; }
    public required string AccessToken { get; init; }
    public required string RefreshToken { get; init; }
    public required string ProtectedUserKey { get; init; }
    public SyncResponseModel? Sync { get; init; }
    public DateTimeOffset? LastSync { get; init; }

    /// <summary>Set by <c>coffer unlock</c> (and login); opens only with COFFER_SESSION. Null when locked.</summary>
    public UnlockedUserKey? Unlocked { get; init; }

    /// <summary>
    /// Items the last sync's integrity checks held back (quarantined or refused; malicious-server.md §2.2). They are kept
    /// out of <see cref="Sync"/>, so no command lists, shows, edits or uploads them until <c>coffer vault review</c> accepts one.
    /// </summary>
    public IReadOnlyList<WithheldCipher> Withheld { get; init; } = [];

    /// <summary>The account's pins, attached when the session is read or synced; never written to session.json.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    internal Commands.TrustPinStore? TrustPins { get; init; }
}

/// <summary>An item held back by an integrity check: the server's copy, the check's code, its class and sentence.</summary>
public sealed record WithheldCipher(CipherDetailsResponseModel Cipher, string Code, Coffer.Client.Integrity.FindingKind Kind, string Message);

public static class StateFiles
{
    public const string Config = "config.json";
    public const string Session = "session.json";
}
