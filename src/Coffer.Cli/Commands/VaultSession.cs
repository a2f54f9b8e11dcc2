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
        return session;
    }

    public static IReadOnlyList<FolderView> Folders(SessionState session, SymmetricKey userKey) =>
        session.Sync?.Folders.Select(f => VaultCrypto.DecryptFolder(f, userKey)).ToList() ?? [];

    public static IReadOnlyList<CipherDetailsResponseModel> Ciphers(SessionState session) => session.Sync?.Ciphers ?? [];

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
        SessionState session, SymmetricKey userKey, string nameOrId, bool? inTrash)
    {
        var candidates = Ciphers(session)
            .Where(c => inTrash is null || (c.DeletedDate is not null) == inTrash)
            .Select(c => (Cipher: c, Item: VaultCrypto.Decrypt(c, userKey)))
            .ToList();
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
            0 => throw CliException.NotFound($"No {(inTrash == true ? "trashed " : "")}item matches '{nameOrId}'. Run `coffer list{(inTrash == true ? " --trash" : "")}` to see them."),
            _ => throw new CliException(
                $"'{nameOrId}' matches {matches.Count} items: "
                + string.Join(", ", matches.Select(m => $"{m.Cipher.Id} ({m.Item.Name})")) + ". Use the id."),
        };
    }
}
