using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Files;
using Coffer.Server.Notifications;
using Coffer.Server.Organizations;
using Coffer.Server.Sends;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Background;

/// <summary>
/// The jobs of one background run, in order (<c>bitwarden-sharing-features.md</c> §3.1 for Sends, §2.3 for slots):
/// <list type="number">
/// <item>Sends past their <see cref="Send.DeletionDate"/>, with their files;</item>
/// <item>items in the trash for more than <see cref="BackgroundOptions.TrashDays"/> days (0 = never), with their attachments;</item>
/// <item>attachment slots and file Sends whose upload never came within <see cref="BackgroundOptions.UnfinishedUploadHours"/>;</item>
/// <item>refresh tokens past their expiry (consumed ones are kept until then: presenting one again reveals a copied
/// token) and expired remember-device tokens;</item>
/// <item>WebAuthn ceremonies and e-mailed codes past their expiry (a ceremony never finished, a code never entered:
/// both are refused once expired, so the rows only took space);</item>
/// <item>orphaned files (no uploaded attachment or Send holds them: a crash between a row's deletion and its file's)
/// and abandoned staged uploads (a crash or a cut connection mid-upload), both written before the grace cutoff;</item>
/// <item>on MySQL, rows of the notifications table older than <see cref="MySqlNotificationBus.Retention"/>.</item>
/// </list>
/// Rows go in batches of <see cref="BatchSize"/>, each one tracked deletion committed through <see cref="Changes"/>, so
/// their files follow (<see cref="BlobCleanup"/>), the owners' revision dates move (their next sync drops them) and
/// their devices are told. Every job is idempotent: a run cut short is finished by the next.
/// </summary>
internal sealed class BackgroundJobs(IServiceProvider services, BackgroundOptions options, DateTime now, DateTime graceCutoff)
{
    /// <summary>Rows deleted per commit: small enough that a commit never holds the write lock for long.</summary>
    public const int BatchSize = 100;

    public async Task<BackgroundReport> RunAsync(CancellationToken ct)
    {
        // Emergency access requests whose wait has passed, and reminders in the last day of a wait (Emergency/).
        await Emergency.EmergencyAccessJobs.RunAsync(services, now, ct);
        return await RemoveAsync(ct);
    }

    private async Task<BackgroundReport> RemoveAsync(CancellationToken ct) => new(
        ExpiredSends: await DeleteSendsAsync(s => s.DeletionDate <= now, ct),
        TrashedItems: options.TrashDays == 0 ? 0 : await PurgeTrashAsync(now.AddDays(-options.TrashDays), ct),
        UnfinishedAttachments: await DeleteUnfinishedAttachmentsAsync(now.AddHours(-options.UnfinishedUploadHours), ct),
        UnfinishedSends: await DeleteSendsAsync(UnfinishedSend(now.AddHours(-options.UnfinishedUploadHours)), ct),
        RefreshTokens: await DeleteTokensAsync(db => db.RefreshTokens.Where(t => t.ExpirationDate <= now).ExecuteDeleteAsync(ct), ct),
        RememberTokens: await DeleteTokensAsync(db => db.TwoFactorRememberTokens.Where(t => t.ExpirationDate <= now).ExecuteDeleteAsync(ct), ct),
        OrphanBlobs: await DeleteOrphanBlobsAsync(ct),
        StagedBlobs: await services.GetRequiredService<IBlobStore>().DeleteAbandonedAsync(graceCutoff, ct),
        WebAuthnChallenges: await DeleteTokensAsync(db => db.WebAuthnChallenges.Where(c => c.ExpirationDate <= now).ExecuteDeleteAsync(ct), ct),
        EmailCodes: await DeleteTokensAsync(db => db.EmailCodes.Where(c => c.ExpirationDate <= now).ExecuteDeleteAsync(ct), ct),
        Notifications: await services.GetRequiredService<INotificationBus>().PruneAsync(now - MySqlNotificationBus.Retention, ct));

    private static System.Linq.Expressions.Expression<Func<Send, bool>> UnfinishedSend(DateTime cutoff) =>
        s => s.FileId != null && !s.FileUploaded && s.CreationDate <= cutoff;

    private async Task<int> DeleteSendsAsync(System.Linq.Expressions.Expression<Func<Send, bool>> which, CancellationToken ct) =>
        await InBatchesAsync(async (db, changes) =>
        {
            var sends = await db.Sends.Where(which).OrderBy(s => s.Id).Take(BatchSize).ToListAsync(ct);
            foreach (var send in sends)
            {
                db.Sends.Remove(send);
                changes.Notify(PushType.SyncSendDelete, send.UserId, send.Id, excludeActingDevice: false);
            }

            await changes.CommitAsync([.. sends.Select(s => s.UserId)], ct);
            return sends.Count;
        }, ct);

    private async Task<int> PurgeTrashAsync(DateTime cutoff, CancellationToken ct) =>
        await InBatchesAsync(async (db, changes) =>
        {
            var ciphers = await db.Ciphers.Where(c => c.DeletedDate != null && c.DeletedDate <= cutoff).OrderBy(c => c.Id).Take(BatchSize).ToListAsync(ct);
            var ids = ciphers.Select(c => c.Id).ToList();
            var collections = (await db.CollectionCiphers.AsNoTracking().Where(cc => ids.Contains(cc.CipherId)).ToListAsync(ct))
                .ToLookup(cc => cc.CipherId, cc => cc.CollectionId);
            var owners = new HashSet<Guid>();
            var audiences = new Dictionary<Guid, Audience>();
            foreach (var cipher in ciphers)
            {
                db.Ciphers.Remove(cipher);
                if (cipher.OrganizationId is { } organizationId)
                {
                    if (!audiences.TryGetValue(organizationId, out var audience))
                    {
                        audiences[organizationId] = audience = await Audience.LoadAsync(db, organizationId, ct);
                    }

                    var itemCollections = collections[cipher.Id].ToList();
                    var users = audience.ForCollections(itemCollections);
                    owners.UnionWith(users);
                    changes.RecordOrganization(EventType.CipherDeleted, organizationId, cipherId: cipher.Id, detail: "purged from the trash");
                    changes.NotifyOrganizationItem(PushType.SyncLoginDelete, users, organizationId, cipher.Id, itemCollections);
                }
                else if (cipher.UserId is { } userId)
                {
                    owners.Add(userId);
                    changes.Record(EventType.CipherDeleted, userId, cipher.Id, detail: "purged from the trash");
                    changes.Notify(PushType.SyncLoginDelete, userId, cipher.Id, excludeActingDevice: false);
                }
            }

            await changes.CommitAsync(owners, ct);
            return ciphers.Count;
        }, ct);

    private async Task<int> DeleteUnfinishedAttachmentsAsync(DateTime cutoff, CancellationToken ct) =>
        await InBatchesAsync(async (db, changes) =>
        {
            // A slot is not in any cipher response or sync until its upload (Ciphers/AttachmentJson), so no one is told.
            var slots = await db.Attachments.Where(a => !a.Uploaded && a.CreationDate <= cutoff).OrderBy(a => a.Id).Take(BatchSize).ToListAsync(ct);
            db.Attachments.RemoveRange(slots);
            await changes.CommitAsync(ct: ct);
            return slots.Count;
        }, ct);

    private async Task<int> DeleteTokensAsync(Func<CofferDb, Task<int>> delete, CancellationToken ct)
    {
        // One statement of its own, ordered with nothing: expired rows are read by no commit, and on SQLite the
        // statement waits for the write lock like any other writer (busy_timeout).
        await using var scope = services.CreateAsyncScope();
        return await delete(scope.ServiceProvider.GetRequiredService<CofferDb>());
    }

    private async Task<int> DeleteOrphanBlobsAsync(CancellationToken ct)
    {
        var store = services.GetRequiredService<IBlobStore>();
        var candidates = new List<string>();
        await foreach (var blob in store.ListAsync(ct))
        {
            if (blob.CreationDate < graceCutoff)
            {
                candidates.Add(blob.Key);
            }
        }

        var removed = 0;
        foreach (var batch in candidates.Chunk(500))
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
            var live = await LiveKeysAsync(db, batch, ct);
            foreach (var key in batch.Where(k => !live.Contains(k)))
            {
                await store.DeleteAsync(key, ct);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>The keys among <paramref name="keys"/> that an uploaded attachment or file Send holds.</summary>
    private static async Task<HashSet<string>> LiveKeysAsync(CofferDb db, IReadOnlyCollection<string> keys, CancellationToken ct)
    {
        var attachmentIds = new List<string>();
        var sendIds = new List<Guid>();
        foreach (var parts in keys.Select(k => k.Split('/')))
        {
            if (parts is [BlobKeys.AttachmentsFolder, _, var attachmentId])
            {
                attachmentIds.Add(attachmentId);
            }
            else if (parts is [BlobKeys.SendsFolder, var sendId, _] && Guid.TryParse(sendId, out var id))
            {
                sendIds.Add(id);
            }
        }

        var attachments = await db.Attachments.AsNoTracking().Where(a => attachmentIds.Contains(a.Id) && a.Uploaded)
            .Select(a => new { a.CipherId, a.Id }).ToListAsync(ct);
        var sends = await db.Sends.AsNoTracking().Where(s => sendIds.Contains(s.Id) && s.FileId != null && s.FileUploaded)
            .Select(s => new { s.Id, s.FileId }).ToListAsync(ct);
        return
        [
            .. attachments.Select(a => BlobKeys.Attachment(a.CipherId, a.Id)),
            .. sends.Select(s => BlobKeys.SendFile(s.Id, s.FileId!)),
        ];
    }

    /// <summary>Runs <paramref name="batch"/> (which deletes up to <see cref="BatchSize"/> rows and commits) in fresh scopes until it finds fewer.</summary>
    private async Task<int> InBatchesAsync(Func<CofferDb, Changes, Task<int>> batch, CancellationToken ct)
    {
        var total = 0;
        while (true)
        {
            await using var scope = services.CreateAsyncScope();
            var done = await batch(scope.ServiceProvider.GetRequiredService<CofferDb>(), scope.ServiceProvider.GetRequiredService<Changes>());
            total += done;
            if (done < BatchSize)
            {
                return total;
            }
        }
    }
}
