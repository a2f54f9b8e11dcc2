using System.Security.Cryptography;
using Coffer.Cli.Storage;
using Coffer.Client;
using Coffer.Client.Crypto;
using Coffer.Client.Integrity;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;

namespace Coffer.Cli.Commands;

/// <summary>The cached vault: pulled from the server after every change, decrypted only in memory.</summary>
internal static class VaultSession
{
    /// <summary>
    /// Syncs and checks the answer against this account's pins before anything of it is used (malicious-server.md
    /// BW04, BW05, BW10, §3.13; <see cref="VaultIntegrity"/>): warnings go to stderr, quarantined and refused items are
    /// held out of the cached vault (<see cref="SessionState.Withheld"/>), and the pins are updated only from a sync that
    /// passed. A refusal of the whole answer, or a newly refused item, locks the session and throws.
    /// </summary>
    /// <exception cref="ServerIntegrityException"><c>ciphertext-reused</c> (nothing cached or pinned), or an item refused (<c>type-change</c>, <c>cipher-key-stripped</c>).</exception>
    public static async Task<SessionState> PullAsync(CliContext ctx, CofferApiClient client, SessionState session, CancellationToken ct)
    {
        var revision = DateTimeOffset.FromUnixTimeMilliseconds(await client.GetRevisionDateAsync(ct));
        var sync = await client.SyncAsync(ct);
        // One record for the sync's three checks (account, items, organizations), read once and saved once.
        var server = ctx.ServerUrl(session);
        var stored = ctx.LoadPins(server, session.Email);
        AccountGuard.CheckSync(session, sync, stored);
        var pins = stored ?? AccountPins.Create(server.ToString(), session.Email);
        IReadOnlyList<VaultFinding> findings;
        try
        {
            findings = VaultIntegrity.Check(pins, sync.Ciphers, revision);
        }
        catch (ServerIntegrityException)
        {
            // The account pins above passed their checks; the items' are unchanged (Check changes nothing).
            if (stored is not null)
            {
                ctx.SavePins(stored);
            }

            ctx.SaveSession(session with { Unlocked = null });
            throw;
        }

        VaultIntegrity.Accept(pins, sync.Ciphers, revision, findings);
        ctx.SavePins(pins);

        // The most severe finding of each held item is the one it is held for.
        var held = findings.Where(f => f.Kind != FindingKind.Warn && f.CipherId is not null)
            .GroupBy(f => f.CipherId!.Value)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(f => f.Kind).First());
        var withheld = sync.Ciphers.Where(c => held.ContainsKey(c.Id))
            .Select(c => new WithheldCipher(c, held[c.Id].Code, held[c.Id].Kind, held[c.Id].Message)).ToList();
        var refusedBefore = session.Withheld.Where(w => w.Kind == FindingKind.Refuse).Select(w => (w.Cipher.Id, w.Code)).ToHashSet();
        var unlock = sync.UserDecryption.MasterPasswordUnlock;
        session = session with
        {
            Sync = sync with { Ciphers = [.. sync.Ciphers.Where(c => !held.ContainsKey(c.Id))] },
            Withheld = withheld,
            LastSync = ctx.Host.Time.GetUtcNow(),
            ProtectedUserKey = unlock.MasterKeyEncryptedUserKey,
            Kdf = unlock.Kdf,

            // A user key rotated from another device makes the unlocked copy stale: forget it (COFFER_SESSION then says so).
            Unlocked = unlock.MasterKeyEncryptedUserKey == session.ProtectedUserKey ? session.Unlocked : null,
        };

        // Security findings are printed even with --quiet: they are not chatter.
        foreach (var warning in findings.Where(f => f.Kind == FindingKind.Warn))
        {
            ctx.Host.Error.WriteLine($"coffer: warning ({warning.Code}): {warning.Message}");
        }

        foreach (var item in withheld.Where(w => w.Kind == FindingKind.Quarantine))
        {
            ctx.Host.Error.WriteLine($"coffer: quarantined ({item.Code}): {item.Message} Run `coffer vault review`.");
        }

        // A refusal already reported by an earlier sync is a reminder, not a new failure.
        foreach (var item in withheld.Where(w => w.Kind == FindingKind.Refuse && refusedBefore.Contains((w.Cipher.Id, w.Code))))
        {
            ctx.Host.Error.WriteLine($"coffer: refused ({item.Code}): {item.Message}");
        }

        var refused = withheld.Where(w => w.Kind == FindingKind.Refuse && !refusedBefore.Contains((w.Cipher.Id, w.Code))).ToList();
        if (refused.Count > 0)
        {
            ctx.SaveSession(session with { Unlocked = null });
            throw new ServerIntegrityException(refused[0].Code, string.Join(" ", refused.Select(r => r.Message)));
        }

        ctx.SaveSession(session);
        return OrganizationGuard.AfterSync(ctx, session, pins);
    }

    /// <summary>This account's pins, or a fresh record when this device has none yet.</summary>
    public static AccountPins LoadPins(CliContext ctx, SessionState session)
    {
        var server = ctx.ServerUrl(session);
        return ctx.LoadPins(server, session.Email) ?? AccountPins.Create(server.ToString(), session.Email);
    }

    /// <summary>
    /// After this client created, edited or shared an item: the echo check (the answer must carry the <c>key</c> sent,
    /// BW10), and the echo pinned as this client's own change. The pins are saved either way.
    /// </summary>
    /// <exception cref="ServerIntegrityException"><c>cipher-key-dropped</c>; the session is locked and nothing is re-synced.</exception>
    public static void RecordWrite(CliContext ctx, SessionState session, CipherRequestModel sent, CipherDetailsResponseModel echo)
    {
        var pins = LoadPins(ctx, session);
        try
        {
            VaultIntegrity.CheckEcho(pins, sent, echo);
        }
        catch (ServerIntegrityException)
        {
            ctx.SaveSession(session with { Unlocked = null });
            throw;
        }
        finally
        {
            ctx.SavePins(pins);
        }
    }

    /// <summary>This client deleted an item for good: it will not be reported as vanished.</summary>
    public static void RecordDelete(CliContext ctx, SessionState session, Guid cipherId)
    {
        var pins = LoadPins(ctx, session);
        VaultIntegrity.ForgetOwnDelete(pins, cipherId);
        ctx.SavePins(pins);
    }

    public static IReadOnlyList<FolderView> Folders(SessionState session, SymmetricKey userKey) =>
        session.Sync?.Folders.Select(f => VaultCrypto.DecryptFolder(f, userKey)).ToList() ?? [];

    public static IReadOnlyList<CipherDetailsResponseModel> Ciphers(SessionState session) => session.Sync?.Ciphers ?? [];

    /// <summary>
    /// The user key plus the key of every trusted organization in the cached sync (bitwarden-organizations.md §2.2;
    /// quarantined and disabled ones are never unwrapped, <see cref="OrganizationGuard"/>); dispose it before the user key.
    /// </summary>
    public static VaultKeys Keys(SessionState session, SymmetricKey userKey)
    {
        try
        {
            var keys = VaultKeys.Open(session.Sync, userKey, OrganizationGuard.Usable(session));
            OrganizationGuard.CheckKeys(session, keys);
            return keys;
        }
        catch (CryptographicException e)
        {
            throw new CliException("An organization key in the last sync does not decrypt with your private key. Run `coffer sync`; if it persists, the server sent a key that is not yours.", e);
        }
    }

    /// <summary>
    /// Items decrypted with their own key; an item of an organization this session has no key for is skipped. With
    /// hide-passwords access the password and its history are left out, as the clients leave them out of view
    /// (bitwarden-organizations.md §9.3; not a security boundary, the key decrypts them).
    /// </summary>
    public static IEnumerable<(CipherDetailsResponseModel Cipher, VaultItem Item)> Decrypted(SessionState session, VaultKeys keys) =>
        Ciphers(session)
            .Where(c => string.IsNullOrEmpty(c.OrganizationId) || keys.Organizations.Contains(Guid.Parse(c.OrganizationId)))
            .Select(c => (Cipher: c, Item: VaultCrypto.Decrypt(c, keys)))
            .Select(c => c.Item.ViewPassword ? c : (c.Cipher, c.Item with
            {
                Login = c.Item.Login is { } login ? login with { Password = null } : null,
                PasswordHistory = [],
            }));

    public static FolderView FindFolder(IReadOnlyList<FolderView> folders, string nameOrId)
    {
        var matches = folders.Where(f => string.Equals(f.Id.ToString(), nameOrId, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count == 0)
        {
            matches = [.. folders.Where(f => string.Equals(f.Name, nameOrId, StringComparison.OrdinalIgnoreCase))];
        }

        return matches.Count switch
        {
            1 => matches[0],
            0 => throw CliException.NotFound($"No folder named '{nameOrId}'. Run `coffer folder list` to see them."),
            _ => throw new CliException($"More than one folder is named '{nameOrId}': {string.Join(", ", matches.Select(f => f.Id))}. Use the id."),
        };
    }

    /// <summary>
    /// Finds one item by id, else by exact name (case-insensitive), else by a unique name substring.
    /// <paramref name="inTrash"/> null searches both the vault and the trash.
    /// Several matches are an error that lists their ids, so a script never acts on the wrong item.
    /// </summary>
    public static (CipherDetailsResponseModel Cipher, VaultItem Item) FindItem(
        SessionState session, VaultKeys keys, string nameOrId, bool? inTrash)
    {
        var candidates = Decrypted(session, keys)
            .Where(c => inTrash is null || (c.Cipher.DeletedDate is not null) == inTrash)
            .ToList();
        return FindItem(candidates, nameOrId, inTrash == true ? "trashed " : "", inTrash == true ? "coffer list --trash" : "coffer list");
    }

    /// <summary>The same search over <paramref name="candidates"/> (another vault's items: emergency access view); <paramref name="listCommand"/> is the hint when nothing matches.</summary>
    public static (CipherDetailsResponseModel Cipher, VaultItem Item) FindItem(
        IReadOnlyList<(CipherDetailsResponseModel Cipher, VaultItem Item)> candidates, string nameOrId, string kind, string listCommand)
    {
        var byId = candidates.Where(c => string.Equals(c.Cipher.Id.ToString(), nameOrId, StringComparison.OrdinalIgnoreCase)).ToList();
        var matches = byId.Count > 0 ? byId
            : candidates.Where(c => string.Equals(c.Item.Name, nameOrId, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count == 0)
        {
            matches = [.. candidates.Where(c => c.Item.Name.Contains(nameOrId, StringComparison.OrdinalIgnoreCase))];
        }

        return matches.Count switch
        {
            1 => matches[0],
            0 => throw CliException.NotFound($"No {kind}item matches '{nameOrId}'. Run `{listCommand}` to see them."),
            _ => throw new CliException(
                $"'{nameOrId}' matches {matches.Count} items: "
                + string.Join(", ", matches.Select(m => $"{m.Cipher.Id} ({m.Item.Name})")) + ". Use the id."),
        };
    }
}
