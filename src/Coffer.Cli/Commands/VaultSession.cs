using System.Security.Cryptography;
using Coffer.Cli.Storage;
using Coffer.Client;
using Coffer.Client.Crypto;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;

namespace Coffer.Cli.Commands;

/// <summary>The cached vault: pulled from the server after every change, decrypted only in memory.</summary>
internal static class VaultSession
{
    public static async Task<SessionState> PullAsync(CliContext ctx, CofferApiClient client, SessionState session, CancellationToken ct)
    {
        var sync = await client.SyncAsync(ct);
        var unlock = sync.UserDecryption.MasterPasswordUnlock;
        session = session with
        {
            Sync = sync,
            LastSync = ctx.Host.Time.GetUtcNow(),
            ProtectedUserKey = unlock.MasterKeyEncryptedUserKey,
            Kdf = unlock.Kdf,

            // A user key rotated from another device makes the unlocked copy stale: forget it (COFFER_SESSION then says so).
            Unlocked = unlock.MasterKeyEncryptedUserKey == session.ProtectedUserKey ? session.Unlocked : null,
        };
        ctx.SaveSession(session);
        return OrganizationGuard.AfterSync(ctx, session);
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
