using System.Globalization;
using System.Text.Json;
using Coffer.Client.Crypto;
using Coffer.Protocol.Crypto;

namespace Coffer.Client.Integrity;

/// <summary>A finding that is shown but does not stop the command (malicious-server.md §2.2, class "Warn").</summary>
/// <param name="Code">The check id, e.g. <c>userkey-rotated</c>, <c>server-version</c>.</param>
/// <param name="Message">One plain sentence for the user.</param>
public sealed record IntegrityWarning(string Code, string Message);

/// <summary>
/// The account-level checks of malicious-server.md (BW03, BW07, BW11, BW12): what a client verifies in prelogin, the token
/// response, the sync and the unlocked user key before it derives, sends or encrypts anything. Pure functions over the
/// server's answer and the <see cref="AccountPins"/>; each refusal is a <see cref="ServerIntegrityException"/> whose
/// <see cref="ServerIntegrityException.Code"/> is the check id (<c>kdf-floor</c>, <c>kdf-downgrade</c>,
/// <c>kdf-mismatch</c>, <c>userkey-type0</c>, <c>userkey-type</c>, <c>userkey-32byte</c>, <c>keys-missing</c>,
/// <c>kc-convert</c>).
/// </summary>
public static class AccountChecks
{
    /// <summary>
    /// The prelogin check, to run before the master password is hashed (BW07). With a pinned KDF, another type or a lower
    /// value of any parameter is refused (<c>kdf-downgrade</c>); a higher one passes and is pinned only once the user key
    /// decrypts (<see cref="PinUnlock"/>). Then the floor: anything <see cref="KdfConfig.IsBelowMinimum"/> is refused
    /// (<c>kdf-floor</c>), pinned or not.
    /// </summary>
    /// <exception cref="ServerIntegrityException"><c>kdf-downgrade</c> or <c>kdf-floor</c>.</exception>
    public static void CheckKdf(KdfConfig served, AccountPins? pins)
    {
        ArgumentNullException.ThrowIfNull(served);
        if (pins?.Kdf is { } pinned && IsWeaker(served, pinned))
        {
            throw new ServerIntegrityException(
                "kdf-downgrade",
                $"The server asked for a weaker password hashing setting than last time ({Describe(pinned)} → {Describe(served)}). Refused; nothing was sent.");
        }

        if (served.IsBelowMinimum())
        {
            throw new ServerIntegrityException(
                "kdf-floor",
                $"This account's KDF is weaker than Coffer allows ({Describe(served)}). Raise it from a client you trust, then try again.");
        }
    }

    /// <summary>
    /// Whether <paramref name="candidate"/> is of another type than <paramref name="pinned"/> or lower in any parameter
    /// (iterations; for Argon2id also memory and parallelism).
    /// </summary>
    public static bool IsWeaker(KdfConfig candidate, KdfConfig pinned)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(pinned);
        return candidate.Type != pinned.Type
            || candidate.Iterations < pinned.Iterations
            || (candidate.Memory ?? 0) < (pinned.Memory ?? 0)
            || (candidate.Parallelism ?? 0) < (pinned.Parallelism ?? 0);
    }

    /// <summary>
    /// A cross-check (BW07 §3): another place the server names the KDF (<paramref name="where"/>: the token response, the
    /// sync) must equal the one this login hashed with; a missing value (null) is not checked.
    /// </summary>
    /// <exception cref="ServerIntegrityException"><c>kdf-mismatch</c>.</exception>
    public static void CheckSameKdf(KdfConfig used, KdfConfig? reported, string where)
    {
        ArgumentNullException.ThrowIfNull(used);
        if (reported is not null && reported != used)
        {
            throw new ServerIntegrityException(
                "kdf-mismatch",
                $"The server named another password hashing setting in {where} ({Describe(used)} → {Describe(reported)}) than the one this login used. "
                + "Refused; if you changed it on another device, log in again.");
        }
    }

    /// <summary>"PBKDF2 600,000" or "Argon2id t=3, m=64 MiB, p=4": how a KDF is named in messages.</summary>
    public static string Describe(KdfConfig kdf)
    {
        ArgumentNullException.ThrowIfNull(kdf);
        return kdf.Type switch
        {
            KdfType.Pbkdf2Sha256 => string.Create(CultureInfo.InvariantCulture, $"PBKDF2 {kdf.Iterations:N0}"),
            KdfType.Argon2id => string.Create(CultureInfo.InvariantCulture, $"Argon2id t={kdf.Iterations}, m={kdf.Memory} MiB, p={kdf.Parallelism}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"KDF type {(int)kdf.Type}"),
        };
    }

    /// <summary>
    /// The protected user key must be a well-formed type 2 EncString (AES-CBC with HMAC): type 0 (no MAC) is the BW11 forgery
    /// (<c>userkey-type0</c>), any other type or a malformed value is refused too (<c>userkey-type</c>), and none at all is
    /// <c>keys-missing</c>. Runs before the password is used on it.
    /// </summary>
    /// <exception cref="ServerIntegrityException">As above.</exception>
    public static EncString CheckProtectedUserKey(string? protectedUserKey)
    {
        if (string.IsNullOrEmpty(protectedUserKey))
        {
            throw KeysMissing("protected user key");
        }

        if (!EncString.TryParse(protectedUserKey, out var parsed))
        {
            throw new ServerIntegrityException("userkey-type", "The server sent a protected user key that is not a valid encrypted value. Refused; nothing was decrypted.");
        }

        return parsed.Type switch
        {
            EncryptionType.AesCbc256_HmacSha256_B64 => parsed,
            EncryptionType.AesCbc256_B64 => throw new ServerIntegrityException(
                "userkey-type0",
                "The server sent your user key in the unauthenticated legacy format (type 0), which a server can forge. Refused; nothing was decrypted or uploaded."),
            _ => throw new ServerIntegrityException(
                "userkey-type",
                string.Create(CultureInfo.InvariantCulture, $"The server sent your user key as encryption type {(int)parsed.Type}; only type 2 is accepted. Refused; nothing was decrypted.")),
        };
    }

    /// <summary>A decrypted user key must be exactly 64 bytes (BW12): a 32-byte one is the legacy no-MAC form.</summary>
    /// <exception cref="ServerIntegrityException"><c>userkey-32byte</c>.</exception>
    public static void CheckUserKeyLength(int length)
    {
        if (length != 64)
        {
            throw new ServerIntegrityException(
                "userkey-32byte",
                string.Create(CultureInfo.InvariantCulture, $"Your user key decrypts to {length} bytes; Coffer only uses 64-byte keys (encryption and MAC). Refused; nothing was encrypted with it."));
        }
    }

    /// <summary>
    /// Records a successful unlock in <paramref name="pins"/>: the KDF it used (a higher one than pinned becomes the pin),
    /// the user key's id and the protected key's type. A pinned key id that differs is a rotation done on another client:
    /// the new key MAC-verified under the master key, so it is accepted and re-pinned with a <c>userkey-rotated</c> warning.
    /// </summary>
    /// <returns>The warnings to show (empty normally).</returns>
    public static IReadOnlyList<IntegrityWarning> PinUnlock(AccountPins pins, KdfConfig kdf, SymmetricKey userKey)
    {
        ArgumentNullException.ThrowIfNull(pins);
        ArgumentNullException.ThrowIfNull(kdf);
        ArgumentNullException.ThrowIfNull(userKey);
        var warnings = new List<IntegrityWarning>();
        var keyId = userKey.KeyId;
        if (pins.UserKeyId is { } pinned && !string.Equals(pinned, keyId, StringComparison.Ordinal))
        {
            warnings.Add(new IntegrityWarning(
                "userkey-rotated",
                $"Your user key changed since this device last unlocked (key id {pinned[..8]}… → {keyId[..8]}…). It decrypts with your master password, "
                + "so it was rotated from another client; if that was not you, change your master password."));
        }

        pins.Kdf = kdf;
        pins.UserKeyId = keyId;
        pins.ProtectedUserKeyType = (int)EncryptionType.AesCbc256_HmacSha256_B64;
        return warnings;
    }

    /// <summary>
    /// The server version pin (BW10): a version lower than the highest seen is a <c>server-version</c> warning (it never
    /// changes what the client does); a higher one becomes the pin. Versions compare numerically by dotted part.
    /// </summary>
    public static IntegrityWarning? CheckServerVersion(AccountPins pins, string? version)
    {
        ArgumentNullException.ThrowIfNull(pins);
        if (string.IsNullOrWhiteSpace(version))
        {
            return null;
        }

        if (pins.HighestServerVersion is { } highest && CompareVersions(version, highest) < 0)
        {
            return new IntegrityWarning(
                "server-version",
                $"The server reports version {version}, older than {highest} seen before. Coffer keeps using per-item keys and its other protections regardless.");
        }

        pins.HighestServerVersion = version;
        return null;
    }

    /// <summary>Compares dotted versions part by part as numbers (a missing or non-numeric part counts as 0).</summary>
    public static int CompareVersions(string left, string right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        var a = left.Split('.', '-', '+');
        var b = right.Split('.', '-', '+');
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var x = i < a.Length && long.TryParse(a[i], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0;
            var y = i < b.Length && long.TryParse(b[i], NumberStyles.None, CultureInfo.InvariantCulture, out var q) ? q : 0;
            if (x != y)
            {
                return x.CompareTo(y);
            }
        }

        return 0;
    }

    /// <summary>
    /// The raw answer to a password grant (<c>POST /identity/connect/token</c>), read before anything in it is used:
    /// Key Connector or trusted-device unlock options, a <c>KeyConnectorUrl</c>, or <c>HasMasterPassword: false</c> are
    /// refused (<c>kc-convert</c>, BW03: Coffer has no Key Connector, so no code path may hand a key to one); a missing
    /// protected user key, private key or master-password unlock data is refused (<c>keys-missing</c>, BWb1: a Coffer
    /// client never generates a key pair for an existing account). Access-token claims are never read.
    /// </summary>
    /// <exception cref="ServerIntegrityException"><c>kc-convert</c> or <c>keys-missing</c>.</exception>
    public static void CheckTokenAnswer(JsonElement token)
    {
        if (token.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var options = Property(token, "UserDecryptionOptions");
        if (HasValue(Property(token, "KeyConnectorUrl"))
            || HasValue(Property(options, "KeyConnectorOption"))
            || HasValue(Property(options, "TrustedDeviceOption"))
            || Property(options, "HasMasterPassword") is { ValueKind: JsonValueKind.False })
        {
            throw KeyConnector();
        }

        var unlock = Property(options, "MasterPasswordUnlock");
        if (!HasValue(Property(token, "Key")) && !HasValue(Property(unlock, "MasterKeyEncryptedUserKey")))
        {
            throw KeysMissing("protected user key");
        }

        if (!HasValue(Property(token, "PrivateKey"))
            && !HasValue(Property(Property(Property(token, "AccountKeys"), "publicKeyEncryptionKeyPair"), "wrappedPrivateKey")))
        {
            throw KeysMissing("private key");
        }

        if (options is { ValueKind: JsonValueKind.Object } && !HasValue(unlock))
        {
            throw KeysMissing("master-password unlock data");
        }
    }

    /// <summary>
    /// The raw <c>GET /api/sync</c> answer, read before anything in it is used: <c>profile.usesKeyConnector</c>, an
    /// organization with <c>keyConnectorEnabled</c> or a <c>keyConnectorUrl</c>, or Key Connector / trusted-device unlock
    /// options are refused (<c>kc-convert</c>); a profile without its protected user key or private key, or a sync without
    /// master-password unlock data, is refused (<c>keys-missing</c>).
    /// </summary>
    /// <exception cref="ServerIntegrityException"><c>kc-convert</c> or <c>keys-missing</c>.</exception>
    public static void CheckSyncAnswer(JsonElement sync)
    {
        if (sync.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var profile = Property(sync, "profile");
        var decryption = Property(sync, "userDecryption");
        var organizations = Property(profile, "organizations") is { ValueKind: JsonValueKind.Array } list ? list.EnumerateArray().ToList() : [];
        if (Property(profile, "usesKeyConnector") is { ValueKind: JsonValueKind.True }
            || organizations.Any(o => Property(o, "keyConnectorEnabled") is { ValueKind: JsonValueKind.True } || HasValue(Property(o, "keyConnectorUrl")))
            || HasValue(Property(decryption, "keyConnectorOption"))
            || HasValue(Property(decryption, "trustedDeviceOption")))
        {
            throw KeyConnector();
        }

        if (!HasValue(Property(profile, "key")))
        {
            throw KeysMissing("protected user key");
        }

        if (!HasValue(Property(profile, "privateKey"))
            && !HasValue(Property(Property(Property(profile, "accountKeys"), "publicKeyEncryptionKeyPair"), "wrappedPrivateKey")))
        {
            throw KeysMissing("private key");
        }

        if (!HasValue(Property(Property(decryption, "masterPasswordUnlock"), "masterKeyEncryptedUserKey")))
        {
            throw KeysMissing("master-password unlock data");
        }
    }

    private static ServerIntegrityException KeysMissing(string what) => new(
        "keys-missing",
        $"The server sent no {what} for this account. Coffer never creates new account keys in reply to that (a server could then read what it encrypts). Refused; nothing was sent.");

    private static ServerIntegrityException KeyConnector() => new(
        "kc-convert",
        "This server asked to remove your master password (Key Connector or trusted-device unlock). Coffer does not do that; nothing was sent, and the vault is locked.");

    private static JsonElement? Property(JsonElement? element, string name)
    {
        if (element is not { ValueKind: JsonValueKind.Object } value)
        {
            return null;
        }

        foreach (var property in value.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    private static bool HasValue(JsonElement? element) => element is { } value && value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => false,
        JsonValueKind.String => value.GetString()!.Length > 0,
        _ => true,
    };
}
