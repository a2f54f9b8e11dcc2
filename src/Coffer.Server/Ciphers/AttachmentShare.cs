using System.Security.Claims;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Files;
using Coffer.Server.Identity;
using Coffer.Server.Notifications;
using Coffer.Server.Organizations;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Coffer.Server.Ciphers;

/// <summary>
/// <c>POST /api/ciphers/{id}/attachment/{attachmentId}/share?organizationId=…</c> (<c>bitwarden-sharing-features.md</c>
/// §2.4): before a personal item that has an attachment from before per-attachment keys (<c>key</c> null, the file
/// under the user key) moves into an organization, the client re-encrypts the file for the organization and sends it
/// here as the legacy multipart body: a part <c>key</c> (the new attachment key, wrapped) and a part <c>data</c> whose
/// file name is the new encrypted name. The attachment keeps its id; its file, key, name and size are replaced, and
/// the share request that follows moves the item. Only the owner of the personal item, a member of that organization,
/// within the organization's quota; the file passes the same checks as an upload (§2.3).
/// </summary>
public static class AttachmentShare
{
    public static void MapAttachmentShare(this RouteGroupBuilder cipher)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        cipher.MapPost("/attachment/{attachmentId}/share", Share).AcceptsFileUpload()
            .WithSummary("Replace a keyless attachment's file, key and name with the organization's, before a share (§2.4)");
    }

    private static async Task<IResult> Share(Guid id, string attachmentId, Guid? organizationId, ClaimsPrincipal principal, CofferDb db, Changes changes,
        StorageQuota quota, IBlobStore blobs, IOptions<ServerOptions> options, HttpRequest request, CancellationToken ct)
    {
        var userId = principal.UserId();
        var access = await VaultAccess.LoadAsync(db, userId, ct);
        if (organizationId is not { } organization || access.Member(organization) is null)
        {
            return OrgCipherEndpoints.OrganizationNotFound();
        }

        // Only the caller's own personal item, as for the share itself (OrgCipherEndpoints.Share).
        var cipher = AttachmentEndpoints.IsAttachmentId(attachmentId) ? await db.Ciphers.SingleOrDefaultAsync(c => c.Id == id && c.UserId == userId, ct) : null;
        var attachment = cipher is null ? null : await db.Attachments.SingleOrDefaultAsync(a => a.Id == attachmentId && a.CipherId == id && a.Uploaded, ct);
        if (attachment is null)
        {
            return cipher is null ? CipherEndpoints.CipherNotFound() : AttachmentEndpoints.AttachmentNotFound();
        }

        var limits = options.Value.Files;
        var key = BlobKeys.Attachment(attachment.CipherId, attachment.Id);
        var (staged, wrappedKey, fileName, error) = await ReadAsync(request, blobs, key, limits.MaxFileBytes, ct);
        if (staged is null)
        {
            return BitwardenErrors.BadRequest(error!);
        }

        var invalid = CipherAttachments.CheckEncString(wrappedKey, "key") ?? CipherAttachments.CheckEncString(fileName, "fileName")
            ?? (EncArrayBuffer.IsPlausible(staged.Length, staged.Head) ? null : "The file is not an encrypted file (type 2, IV, MAC and whole AES blocks).");
        if (invalid is not null)
        {
            await blobs.DiscardAsync(staged);
            return BitwardenErrors.BadRequest(invalid);
        }

        if (!await quota.FitsAsync(null, organization, staged.Length, ct))
        {
            await blobs.DiscardAsync(staged);
            return AttachmentEndpoints.NotEnoughStorage();
        }

        // The old file is under the user key and useless to the organization; the new one takes its place.
        await blobs.DeleteAsync(key, ct);
        await blobs.CommitAsync(staged, ct);
        attachment.Key = wrappedKey;
        attachment.FileName = fileName!;
        attachment.Size = staged.Length;
        var item = new CipherItem(cipher!, [], CollectionFlags.Full, null);
        await CipherEndpoints.CommitItemAsync(db, changes, userId, item, null, PushType.SyncCipherUpdate, ct);
        return Results.Ok();
    }

    /// <summary>The legacy body: the <c>data</c> part streamed into a staged blob (at most <paramref name="maxBytes"/>), the <c>key</c> part's text, and <c>data</c>'s file name.</summary>
    private static async Task<(StagedBlob? Staged, string? Key, string? FileName, string? Error)> ReadAsync(HttpRequest request, IBlobStore blobs, string blobKey, long maxBytes,
        CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
        {
            return (null, null, null, "Send multipart/form-data with the parts key and data.");
        }

        var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = null };
        StagedBlob? staged = null;
        string? key = null;
        string? fileName = null;
        try
        {
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                {
                    continue;
                }

                switch (HeaderUtilities.RemoveQuotes(disposition.Name).Value)
                {
                    case "key" when key is null:
                        // An EncString; anything longer than the limit is refused after reading at most that much.
                        using (var text = new StreamReader(section.Body))
                        {
                            var buffer = new char[CipherAttachments.MaxEncStringLength + 1];
                            key = new string(buffer, 0, await text.ReadBlockAsync(buffer, ct));
                        }

                        break;
                    case "data" when staged is null:
                        fileName = HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
                        staged = await blobs.StageAsync(blobKey, section.Body, maxBytes, ct);
                        break;
                }
            }
        }
        catch (Exception e) when (e is BlobTooLargeException or InvalidDataException or IOException && !ct.IsCancellationRequested)
        {
            if (staged is not null)
            {
                await blobs.DiscardAsync(staged);
            }

            return (null, null, null, e is BlobTooLargeException ? $"The file is larger than {maxBytes} bytes." : "The upload is not a complete multipart/form-data body.");
        }

        return staged is null ? (null, null, null, "Send the file in a part named \"data\".") : (staged, key, fileName, null);
    }
}
