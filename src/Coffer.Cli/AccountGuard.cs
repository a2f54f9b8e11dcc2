using Coffer.Cli.Storage;
using Coffer.Client;
using Coffer.Client.Crypto;
using Coffer.Client.Integrity;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;

namespace Coffer.Cli;

/// <summary>
/// The CLI's side of the account checks (malicious-server.md BW03, BW07, BW11, BW12; <see cref="AccountChecks"/> holds the
/// rules): when the login, unlock and sync paths check the server's answers against this machine's <see cref="AccountPins"/>,
/// and when the pins are written. A refusal throws <see cref="ServerIntegrityException"/>, which <see cref="CliRunner"/>
/// turns into exit 20 and a locked session.
/// </summary>
internal static class AccountGuard
{
    /// <summary>Prelogin's KDF against the pin and the floor, before the password is hashed.</summary>
    /// <returns>The pins to update once the user key decrypts (a fresh record on a first login).</returns>
    public static AccountPins BeforeHashing(CliContext ctx, Uri server, string email, KdfConfig kdf)
    {
        var pins = ctx.LoadPins(server, email);
        AccountChecks.CheckKdf(kdf, pins);
        return pins ?? AccountPins.Create(server.AbsoluteUri, email);
    }

    /// <summary>
    /// The token response against the KDF this login hashed with (flat <c>Kdf*</c> fields and
    /// <c>UserDecryptionOptions.MasterPasswordUnlock.Kdf</c>), and the type of every protected user key it carries.
    /// </summary>
    public static void CheckToken(KdfConfig used, IdentityTokenResponseModel token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.Kdf is { } type && token.KdfIterations is { } iterations)
        {
            AccountChecks.CheckSameKdf(used, new KdfConfig(type, iterations, token.KdfMemory, token.KdfParallelism), "the login answer");
        }

        if (token.UserDecryptionOptions?.MasterPasswordUnlock is { } unlock)
        {
            var k = unlock.Kdf;
            AccountChecks.CheckSameKdf(used, new KdfConfig(k.KdfType, k.Iterations, k.Memory, k.Parallelism), "the login answer's unlock options");
            AccountChecks.CheckProtectedUserKey(unlock.MasterKeyEncryptedUserKey);
        }

        if (token.Key is { } key)
        {
            AccountChecks.CheckProtectedUserKey(key);
        }
    }

    /// <summary>
    /// Unlocks with the master password the way every path must: the session's KDF checked against the pin and the floor
    /// before hashing, the protected key's type before decrypting, its size after (<see cref="UserKeys.Unlock"/>), then the
    /// pins updated (<see cref="AfterUnlock"/>).
    /// </summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">Wrong password.</exception>
    public static SymmetricKey Unlock(CliContext ctx, SessionState session, string password)
    {
        var kdf = session.Kdf.ToConfig();
        var pins = BeforeUse(ctx, session);
        var userKey = UserKeys.Unlock(session.ProtectedUserKey, password, session.Email, kdf);
        try
        {
            AfterUnlock(ctx, pins ?? AccountPins.Create(session.Server, session.Email), kdf, userKey);
            return userKey;
        }
        catch
        {
            userKey.Dispose();
            throw;
        }
    }

    /// <summary>The session's KDF against the pin and the floor, before the password is hashed for anything.</summary>
    public static AccountPins? BeforeUse(CliContext ctx, SessionState session)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(session);
        var pins = ctx.LoadPins(new Uri(session.Server), session.Email);
        AccountChecks.CheckKdf(session.Kdf.ToConfig(), pins);
        return pins;
    }

    /// <summary>
    /// Pins what a successful unlock proved (KDF, user key id, key type; see <see cref="AccountChecks.PinUnlock"/>), prints
    /// the warnings, and saves the pins when they changed.
    /// </summary>
    public static void AfterUnlock(CliContext ctx, AccountPins pins, KdfConfig kdf, SymmetricKey userKey)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(pins);
        var before = pins.ToJson();
        if (pins.Kdf is null)
        {
            // On a first use the floor is the only protection (malicious-server.md BW07 point 4), so the user sees the KDF.
            // Said once the unlock succeeded, not before: a failing login prints only its one `Error:` line.
            ctx.Notice($"First unlock of {pins.Email} on this device: the master key is derived with {AccountChecks.Describe(kdf)}. "
                + "Coffer remembers this and refuses anything weaker later.");
        }

        foreach (var warning in AccountChecks.PinUnlock(pins, kdf, userKey))
        {
            Warn(ctx, warning);
        }

        if (pins.ToJson() != before)
        {
            ctx.SavePins(pins);
        }
    }

    /// <summary>
    /// A sync against the session: its KDF must be the one the session unlocks with (<c>kdf-mismatch</c>) and its protected
    /// user key type 2. Fills in the user id and the account's public key digest of <paramref name="pins"/> (this device's
    /// stored record, null when it has none) the first time they are seen; the caller saves the record once.
    /// </summary>
    public static void CheckSync(SessionState session, SyncResponseModel sync, AccountPins? pins)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(sync);
        var unlock = sync.UserDecryption.MasterPasswordUnlock;
        AccountChecks.CheckSameKdf(session.Kdf.ToConfig(), unlock.Kdf.ToConfig(), "the sync");
        AccountChecks.CheckProtectedUserKey(unlock.MasterKeyEncryptedUserKey);
        AccountChecks.CheckProtectedUserKey(sync.Profile.Key);

        if (pins is null)
        {
            return;
        }

        pins.UserId ??= sync.Profile.Id;
        if (pins.PublicKeySha256 is null && sync.Profile.AccountKeys.PublicKeyEncryptionKeyPair.PublicKey is { Length: > 0 } publicKey)
        {
            pins.PublicKeySha256 = AccountPins.PublicKeyDigest(Convert.FromBase64String(publicKey));
        }
    }

    /// <summary>
    /// The server version pin: reads <c>/api/config</c> and warns (<c>server-version</c>) when it is older than the highest
    /// version seen. Warning only, and an unreachable or odd answer is no reason to stop a login or sync.
    /// </summary>
    public static async Task CheckServerVersionAsync(CliContext ctx, CofferApiClient client, Uri server, string email, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(client);
        string? version;
        try
        {
            version = await client.GetServerVersionAsync(ct);
        }
        catch (CofferApiException)
        {
            return;
        }

        if (ctx.LoadPins(server, email) is not { } pins)
        {
            return;
        }

        var before = pins.HighestServerVersion;
        if (AccountChecks.CheckServerVersion(pins, version) is { } warning)
        {
            Warn(ctx, warning);
        }

        if (pins.HighestServerVersion != before)
        {
            ctx.SavePins(pins);
        }
    }

    /// <summary>
    /// Records a change this client made itself (<c>coffer account kdf|rotate-key|email</c>), so the next login is not
    /// mistaken for an attack: <paramref name="update"/> edits the pins of (<paramref name="session"/>'s server, e-mail).
    /// </summary>
    public static void LocalChange(CliContext ctx, SessionState session, Action<AccountPins> update)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(update);
        if (ctx.LoadPins(new Uri(session.Server), session.Email) is { } pins)
        {
            update(pins);
            ctx.SavePins(pins);
        }
    }

    /// <summary>A copy of <paramref name="pins"/> for the account's new e-mail address (the record's key).</summary>
    public static AccountPins WithEmail(AccountPins pins, string email)
    {
        ArgumentNullException.ThrowIfNull(pins);
        var json = System.Text.Json.Nodes.JsonNode.Parse(pins.ToJson())!;
        json["email"] = AccountEmail.Normalize(email);
        return AccountPins.FromJson(json.ToJsonString());
    }

    /// <summary><c>coffer: warning (CODE): SENTENCE</c> on stderr, even with --quiet: it is about the user's security.</summary>
    public static void Warn(CliContext ctx, IntegrityWarning warning)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(warning);
        ctx.Host.Error.WriteLine($"coffer: warning ({warning.Code}): {warning.Message}");
    }
}
