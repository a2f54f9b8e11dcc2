using System.Text.Json;
using Coffer.Client.Crypto;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;

namespace Coffer.Client.Exchange;

/// <summary>
/// Encrypts imported items batch by batch into <c>POST /api/ciphers/import</c> bodies (protocol §4.14), so a large
/// file is never encrypted or held whole: each batch has at most <see cref="MaxItems"/> items and about
/// <see cref="MaxBytes"/> of JSON, well inside the server's import limits (20,000 items, MaxImportBytes 32 MiB by
/// default). Folders must exist already: each batch names them by id, which the server reuses (as Vaultwarden does)
/// instead of creating a folder per batch.
/// </summary>
public static class ImportBatches
{
    public const int MaxItems = 500;
    public const int MaxBytes = 4 * 1024 * 1024;

    /// <param name="rows">Readable rows only (<see cref="ImportRow.Item"/> set).</param>
    /// <param name="folderIds">The id of every folder path that <paramref name="rows"/> name.</param>
    /// <param name="userKey">The key every item is encrypted under.</param>
    public static IEnumerable<(ImportCiphersRequestModel Request, int Count)> Create(IEnumerable<ImportRow> rows, IReadOnlyDictionary<string, Guid> folderIds, SymmetricKey userKey)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(folderIds);
        var ciphers = new List<CipherRequestModel>();
        var folders = new List<ImportFolderModel>();
        var folderIndex = new Dictionary<Guid, int>();
        var relations = new List<ImportRelationshipModel>();
        var bytes = 0;
        foreach (var row in rows)
        {
            var item = row.Item ?? throw new ArgumentException($"{row.Where} has no item.", nameof(rows));
            var cipher = VaultCrypto.Encrypt(item with { FolderId = null }, userKey);
            var size = JsonSerializer.SerializeToUtf8Bytes(cipher, CofferJson.Options).Length;
            if (ciphers.Count > 0 && (ciphers.Count == MaxItems || bytes + size > MaxBytes))
            {
                yield return (Request(ciphers, folders, relations), ciphers.Count);
                ciphers = [];
                folders = [];
                folderIndex.Clear();
                relations = [];
                bytes = 0;
            }

            if (row.Folder is { } path)
            {
                var id = folderIds[path];
                if (!folderIndex.TryGetValue(id, out var index))
                {
                    index = folders.Count;
                    folderIndex[id] = index;
                    folders.Add(new ImportFolderModel { Id = id.ToString() });
                }

                relations.Add(new ImportRelationshipModel { Key = ciphers.Count, Value = index });
            }

            ciphers.Add(cipher);
            bytes += size;
        }

        if (ciphers.Count > 0)
        {
            yield return (Request(ciphers, folders, relations), ciphers.Count);
        }
    }

    private static ImportCiphersRequestModel Request(List<CipherRequestModel> ciphers, List<ImportFolderModel> folders, List<ImportRelationshipModel> relations) =>
        new() { Ciphers = ciphers, Folders = folders, FolderRelationships = relations };
}
