using Coffer.Protocol.Api;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Files;
using Coffer.Server.Hosting;
using Coffer.Server.Identity;
using Coffer.Server.Organizations;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Ciphers;

/// <summary>
/// What every cipher route needs of attachments (<c>bitwarden-sharing-features.md</c> §2.8, §2.9): the uploaded
/// attachments of the items it answers with, their download URLs, and the <c>attachments2</c> map of an edit.
/// </summary>
public static class CipherAttachments
{
    /// <summary>How long a download URL works (§1.3: 5 minutes, as Vaultwarden).</summary>
    public static readonly TimeSpan DownloadLifetime = TimeSpan.FromMinutes(5);

    /// <summary>The uploaded attachments of <paramref name="cipherIds"/>, oldest first, in one query.</summary>
    public static async Task<ILookup<Guid, Attachment>> UploadedAsync(HttpContext context, IReadOnlyCollection<Guid> cipherIds)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(cipherIds);
        if (cipherIds.Count == 0)
        {
            return Array.Empty<Attachment>().ToLookup(a => a.CipherId);
        }

        var db = context.RequestServices.GetRequiredService<CofferDb>();
        var attachments = await db.Attachments.AsNoTracking().Where(a => a.Uploaded && cipherIds.Contains(a.CipherId))
            .OrderBy(a => a.CreationDate).ThenBy(a => a.Id).ToListAsync(context.RequestAborted);
        return attachments.ToLookup(a => a.CipherId);
    }

    /// <summary>Mints download URLs for the signed-in caller of <paramref name="context"/>; null for an anonymous request.</summary>
    public static Func<Attachment, string>? UrlMinter(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.User.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        var userId = context.User.UserId();
        var tokens = context.RequestServices.GetRequiredService<ScopedTokens>();
        var origin = PublicUrl.Origin(context.Request);
        return attachment => DownloadUrl(origin, tokens, userId, attachment);
    }

    /// <summary>
    /// <c>{origin}/attachments/{cipherId}/{attachmentId}?token=…</c> (§1.3, §2.5): absolute, from the configured public
    /// URL when set, with a token for this attachment alone, bound to <paramref name="userId"/>, for 5 minutes.
    /// </summary>
    public static string DownloadUrl(string origin, ScopedTokens tokens, Guid userId, Attachment attachment)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(attachment);
        var token = tokens.Create(ScopedTokens.AttachmentDownload, Subject(attachment.CipherId, attachment.Id), DownloadLifetime, userId);
        return $"{origin}/attachments/{attachment.CipherId:D}/{attachment.Id}?token={Uri.EscapeDataString(token)}";
    }

    /// <summary>The subject of a download token: <c>{cipherId}/{attachmentId}</c>.</summary>
    public static string Subject(Guid cipherId, string attachmentId) => $"{cipherId:D}/{attachmentId}";

    /// <summary>
    /// Applies an edit's <c>attachments2</c> (§2.9): each entry naming an attachment of <paramref name="cipherId"/> replaces
    /// its file name and key (tracked; saved with the edit). Ids of other items (a clone's source, another user's, A-8)
    /// and unknown ids are skipped; nothing is created or deleted here. Null when applied, else the message of a 400.
    /// </summary>
    public static async Task<string?> ApplyKeysAsync(CofferDb db, Guid cipherId, IReadOnlyDictionary<string, CipherAttachmentModel>? entries, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (entries is not { Count: > 0 })
        {
            return null;
        }

        if (CheckKeys(entries) is { } error)
        {
            return error;
        }

        var ids = entries.Keys.ToList();
        ApplyKeys(await db.Attachments.Where(a => a.CipherId == cipherId && ids.Contains(a.Id)).ToListAsync(ct), cipherId, entries);
        return null;
    }

    /// <summary>
    /// The in-memory half of <see cref="ApplyKeysAsync"/> over tracked <paramref name="attachments"/> (a key rotation loads
    /// every attachment of the vault in one query): entries must already be checked.
    /// </summary>
    public static void ApplyKeys(IEnumerable<Attachment> attachments, Guid cipherId, IReadOnlyDictionary<string, CipherAttachmentModel>? entries)
    {
        ArgumentNullException.ThrowIfNull(attachments);
        if (entries is not { Count: > 0 })
        {
            return;
        }

        foreach (var attachment in attachments)
        {
            if (attachment.CipherId == cipherId && entries.TryGetValue(attachment.Id, out var entry))
            {
                attachment.FileName = entry.FileName!;
                // An attachment from before per-attachment keys has none; a client that sends none keeps it that way.
                attachment.Key = entry.Key ?? attachment.Key;
            }
        }
    }

    /// <summary>
    /// A clone (§2.9): a create whose <c>attachments2</c> names uploaded attachments of items the caller can see gets
    /// copies of them, files and rows, under the names and keys of the entries (the clone's new item key, or the same
    /// key). Ids of items the caller cannot see, unknown ids and slots never uploaded are skipped. The copies count
    /// against the new item's owner (account or organization); null when done or nothing to do, else the 400 to answer.
    /// Files are copied before the rows are saved, so a failed commit leaves only orphans for the sweep.
    /// </summary>
    public static async Task<IResult?> CopyAsync(CofferDb db, VaultAccess access, IBlobStore blobs, StorageQuota quota, Cipher clone,
        IReadOnlyDictionary<string, CipherAttachmentModel>? entries, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(quota);
        ArgumentNullException.ThrowIfNull(clone);
        if (entries is not { Count: > 0 })
        {
            return null;
        }

        if (CheckKeys(entries) is { } error)
        {
            return BitwardenErrors.BadRequest(error, "attachments2");
        }

        var ids = entries.Keys.Where(AttachmentEndpoints.IsAttachmentId).ToList();
        var sources = await db.Attachments.AsNoTracking().Where(a => ids.Contains(a.Id) && a.Uploaded).ToListAsync(ct);
        var visible = (await CipherItems.FindManyAsync(db, access, [.. sources.Select(a => a.CipherId).Distinct()], ct)).Select(i => i.Cipher.Id).ToHashSet();
        sources.RemoveAll(a => !visible.Contains(a.CipherId));
        if (sources.Count == 0)
        {
            return null;
        }

        if (!await quota.FitsAsync(clone.UserId, clone.OrganizationId, sources.Sum(a => a.Size), ct))
        {
            return AttachmentEndpoints.NotEnoughStorage();
        }

        foreach (var source in sources)
        {
            await using var content = await blobs.OpenReadAsync(BlobKeys.Attachment(source.CipherId, source.Id), ct);
            if (content is null)
            {
                continue;
            }

            var entry = entries[source.Id];
            var copy = new Attachment
            {
                Id = Attachment.NewId(),
                CipherId = clone.Id,
                FileName = entry.FileName!,
                Key = entry.Key ?? source.Key,
                Size = content.Length,
                Uploaded = true,
                CreationDate = now,
            };
            var staged = await blobs.StageAsync(BlobKeys.Attachment(copy.CipherId, copy.Id), content.Stream, content.Length, ct);
            await blobs.CommitAsync(staged, ct);
            db.Attachments.Add(copy);
        }

        return null;
    }

    /// <summary>Null when every entry of an <c>attachments2</c> map has a file name and at most a key of plausible size, else why not.</summary>
    public static string? CheckKeys(IReadOnlyDictionary<string, CipherAttachmentModel>? entries)
    {
        foreach (var entry in entries?.Values ?? [])
        {
            if ((entry is null ? "an entry is empty." : CheckEncString(entry.FileName, "fileName") ?? (entry.Key is null ? null : CheckEncString(entry.Key, "key"))) is { } error)
            {
                return "attachments2: " + error;
            }
        }

        return null;
    }

    /// <summary>Null when <paramref name="value"/> is a plausible EncString for <paramref name="field"/> (non-empty, at most <see cref="MaxEncStringLength"/> characters), else why not.</summary>
    public static string? CheckEncString(string? value, string field) =>
        value is null || value.Length == 0 ? $"{field} is required."
        : value.Length > MaxEncStringLength ? $"{field} is longer than {MaxEncStringLength} characters."
        : null;

    /// <summary>The longest file name or key EncString kept (a 1,000-character name encrypts to about 1,450).</summary>
    public const int MaxEncStringLength = 4096;
}
