using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coffer.Protocol.Crypto;

namespace Coffer.Client.Integrity;

/// <summary>
/// What a Coffer client remembers about one account on one server, to check every later answer of that server
/// against (trust on first use; malicious-server.md §2.2). One record per (server base URL, e-mail). The CLI keeps it
/// as <c>pins-{<see cref="FileKey"/>}.json</c> in its config folder; the web vault keeps the same JSON (camelCase,
/// <see cref="JsonOptions"/>) in IndexedDB, so both clients apply one rule to one shape.
/// <para>
/// Nothing here is secret: key ids and public-key hashes are SHA-256 digests, the KDF settings are what the server
/// itself sends at prelogin, and the ciphertext index holds digests of ciphertexts the server already has. The record is
/// therefore stored in the clear (file mode 0600 in the CLI), which lets the KDF pin be checked before the master
/// password is hashed and lets the pins survive a user-key rotation done on another device. It is never uploaded: a
/// copy on the server could be rolled back by the server.
/// </para>
/// </summary>
public sealed class AccountPins
{
    /// <summary>Options the pins are (de)serialized with: web defaults (camelCase), enums as numbers, indented.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Format version of this record; 1.</summary>
    public int Version { get; set; } = 1;

    /// <summary>The server base URL as configured, without a trailing slash.</summary>
    public required string Server { get; init; }

    /// <summary>The account's e-mail, lowercased (the KDF salt, and the key the record is found by before login).</summary>
    public required string Email { get; init; }

    /// <summary>The account's user id (token <c>sub</c>), set at the first login.</summary>
    public Guid? UserId { get; set; }

    /// <summary>
    /// The KDF the user key last unlocked with. Checked before the master password is hashed: any later prelogin (or token
    /// response, or sync profile) that is of another type or lower in any parameter is refused (BW07).
    /// </summary>
    public KdfConfig? Kdf { get; set; }

    /// <summary>The user key's derived key id (<see cref="Crypto.SymmetricKey.KeyId"/>, bitwarden.md §2.4).</summary>
    public string? UserKeyId { get; set; }

    /// <summary>EncString type of the protected user key when pinned (2 for V1 accounts); BW11/BW12.</summary>
    public int? ProtectedUserKeyType { get; set; }

    /// <summary>Base64 SHA-256 of the account's own public key (SPKI DER).</summary>
    public string? PublicKeySha256 { get; set; }

    /// <summary>Set once this client has written or read a cipher with a per-item key; never cleared (BW10).</summary>
    public bool CipherKeysInUse { get; set; }

    /// <summary>The highest server version <c>/api/config</c> has reported; a lower one later is a warning only (BW10).</summary>
    public string? HighestServerVersion { get; set; }

    /// <summary>The newest account revision date seen at a sync; an older one later is a warning (rollback).</summary>
    public DateTimeOffset? AccountRevisionDate { get; set; }

    /// <summary>Per cipher id, what the last sync this client checked said about it (BW04, BW10, rollback, vanish).</summary>
    public Dictionary<Guid, CipherPin> Ciphers { get; init; } = [];

    /// <summary>
    /// Ciphertext-identity index (BW05): <see cref="CiphertextDigest"/> of every EncString decrypted, mapped to where it
    /// was seen. Honest clients draw a fresh IV per encryption, so one EncString in two places is a server's swap.
    /// </summary>
    public Dictionary<string, CiphertextSite> CiphertextIndex { get; init; } = [];

    /// <summary>Organizations this user trusts, by id (BW08, BW09); an organization in a sync without a pin is quarantined.</summary>
    public Dictionary<Guid, OrganizationPin> Organizations { get; init; } = [];

    /// <summary>Other users' public keys this user confirmed by fingerprint, by user id (organization confirm, emergency access).</summary>
    public Dictionary<Guid, PersonPin> People { get; init; } = [];

    /// <summary>
    /// The record's storage key: the first 32 hex characters of SHA-256 over <c>lower(server) "\n" lower(email)</c>,
    /// so a file name never carries the address.
    /// </summary>
    public static string FileKey(string server, string email)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(email);
        var input = Encoding.UTF8.GetBytes(NormalizeServer(server).ToLowerInvariant() + "\n" + email.Trim().ToLowerInvariant());
        return Convert.ToHexStringLower(SHA256.HashData(input))[..32];
    }

    /// <summary>A fresh record for a first login on this device.</summary>
    public static AccountPins Create(string server, string email) => new()
    {
        Server = NormalizeServer(server),
        Email = email.Trim().ToLowerInvariant(),
    };

    /// <summary>Base64 SHA-256 of a DER SubjectPublicKeyInfo, the form public keys are pinned in.</summary>
    public static string PublicKeyDigest(ReadOnlySpan<byte> spki) => Convert.ToBase64String(SHA256.HashData(spki));

    /// <summary>Base64 SHA-256 of an EncString's exact text, the key of <see cref="CiphertextIndex"/>.</summary>
    public static string CiphertextDigest(string encString)
    {
        ArgumentNullException.ThrowIfNull(encString);
        return Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(encString)));
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <exception cref="JsonException">Not a pin record.</exception>
    public static AccountPins FromJson(string json) =>
        JsonSerializer.Deserialize<AccountPins>(json, JsonOptions) ?? throw new JsonException("The pin record is empty.");

    private static string NormalizeServer(string server) => server.Trim().TrimEnd('/');
}

/// <summary>What the last checked sync said about one cipher.</summary>
/// <param name="RevisionDate">Its <c>revisionDate</c>; an older one later is a rollback of that item.</param>
/// <param name="HasKey">Whether it had a per-item <c>key</c>; losing it later is refused for that item (BW10).</param>
/// <param name="Reprompt">Its <c>reprompt</c> (0 none, 1 master password); 1 → 0 not made here is quarantined (BW04).</param>
/// <param name="Type">Its <c>type</c>; a change of an existing id is refused for that item (BW04).</param>
/// <param name="OrganizationId">Its owner organization, null when personal; a silent move is quarantined (BW04).</param>
public sealed record CipherPin(DateTimeOffset RevisionDate, bool HasKey, int Reprompt, int Type, Guid? OrganizationId);

/// <summary>Where an EncString was seen: the cipher (or folder) id and the field path, e.g. <c>login.password</c>.</summary>
public sealed record CiphertextSite(Guid OwnerId, string Field);

/// <summary>How an organization came to be trusted, and the keys it was trusted with.</summary>
/// <param name="Origin">One of <see cref="OrganizationOrigin"/>'s constants.</param>
/// <param name="KeyId">The organization key's derived key id, pinned from the key this client generated or first used (BW09).</param>
/// <param name="PublicKeySha256">Base64 SHA-256 of the organization's public key (SPKI), when known.</param>
/// <param name="PinnedDate">When the pin was made.</param>
/// <param name="RecoveryEnrolled">Whether this user enrolled in the organization's account recovery through a Coffer prompt, to this public key (BW01, BW02).</param>
/// <param name="DisabledDate">When the server was caught replacing this organization's key or public key (BW09); from then on the organization is disabled on this device until the user trusts it again.</param>
public sealed record OrganizationPin(string Origin, string? KeyId, string? PublicKeySha256, DateTimeOffset PinnedDate, bool RecoveryEnrolled = false, DateTimeOffset? DisabledDate = null);

/// <summary>The values of <see cref="OrganizationPin.Origin"/> (malicious-server.md §2.2).</summary>
public static class OrganizationOrigin
{
    /// <summary>This client created the organization and pinned the key it generated before the first sync.</summary>
    public const string CreatedHere = "created-here";

    /// <summary>This client accepted the invitation.</summary>
    public const string AcceptedHere = "accepted-here";

    /// <summary>The user answered yes to the quarantine question for a membership this client did not see begin.</summary>
    public const string ConfirmedByUserPrompt = "confirmed-by-user-prompt";
}

/// <summary>Another user's public key, pinned when this user confirmed its fingerprint phrase.</summary>
/// <param name="PublicKeySha256">Base64 SHA-256 of the SPKI; a different key later for the same user id is refused.</param>
/// <param name="Relation">What it was confirmed for: <c>org-member</c>, <c>grantee</c> or <c>grantor</c>.</param>
/// <param name="PinnedDate">When the pin was made.</param>
public sealed record PersonPin(string PublicKeySha256, string Relation, DateTimeOffset PinnedDate);
