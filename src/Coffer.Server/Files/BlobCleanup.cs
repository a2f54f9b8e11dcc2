using Coffer.Server.Accounts;
using Coffer.Server.Ciphers;
using Coffer.Server.Data;
using Coffer.Server.Organizations;
using Coffer.Server.Sends;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Files;

/// <summary>
/// Files go with what they belong to. Before a commit, <see cref="Changes"/> asks this for the blobs of every
/// attachment, item, Send, account and organization being deleted (tracked deletions; the database's cascades take
/// the rows), and deletes those blobs once the commit has succeeded: never for a change that rolled back, and a file
/// never outlives its row by more than the commit. A crash between the two leaves an orphan, which the background
/// work's sweep removes. Prefixes, not single keys, so an item's folder goes whole.
/// </summary>
public static class BlobCleanup
{
    /// <summary>The keys and prefixes to delete after this context's pending deletions commit.</summary>
    public static async Task<List<string>> CollectAsync(CofferDb db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var prefixes = new List<string>();
        var users = new List<Guid>();
        var organizations = new List<Guid>();
        foreach (var entry in db.ChangeTracker.Entries().Where(e => e.State == EntityState.Deleted))
        {
            switch (entry.Entity)
            {
                case Attachment attachment:
                    prefixes.Add(BlobKeys.Attachment(attachment.CipherId, attachment.Id));
                    break;
                case Cipher cipher:
                    prefixes.Add(BlobKeys.AttachmentsOf(cipher.Id));
                    break;
                case Send send:
                    prefixes.Add(BlobKeys.SendFilesOf(send.Id));
                    break;
                case User user:
                    users.Add(user.Id);
                    break;
                case Organization organization:
                    organizations.Add(organization.Id);
                    break;
            }
        }

        if (users.Count > 0 || organizations.Count > 0)
        {
            // Only items that have attachments: an account with 10,000 items and no files adds nothing here.
            var ciphers = await db.Attachments.AsNoTracking()
                .Where(a => db.Ciphers.Any(c => c.Id == a.CipherId && ((c.UserId != null && users.Contains(c.UserId.Value)) || (c.OrganizationId != null && organizations.Contains(c.OrganizationId.Value)))))
                .Select(a => a.CipherId).Distinct().ToListAsync(ct);
            prefixes.AddRange(ciphers.Select(BlobKeys.AttachmentsOf));
            var sends = await db.Sends.AsNoTracking().Where(s => users.Contains(s.UserId) && s.FileId != null).Select(s => s.Id).ToListAsync(ct);
            prefixes.AddRange(sends.Select(BlobKeys.SendFilesOf));
        }

        return prefixes;
    }

    /// <summary>Deletes each key or prefix; a failure is logged and left to the sweep, never thrown at the request that committed.</summary>
    public static async Task DeleteAsync(IBlobStore store, IReadOnlyList<string> keys, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var key in keys)
        {
            try
            {
                // An attachment key has three segments; a prefix two.
                if (key.Count(c => c == '/') == 2)
                {
                    await store.DeleteAsync(key, CancellationToken.None);
                }
                else
                {
                    await store.DeletePrefixAsync(key, CancellationToken.None);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or Npgsql.NpgsqlException)
            {
                logger.LogWarning(e, "Could not delete stored file(s) {Key}; the background sweep will remove them.", key);
            }
        }
    }
}
