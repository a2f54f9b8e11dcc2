using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Coffer.Protocol.Api;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Files;
using Coffer.Server.Identity;
using Coffer.Server.Notifications;
using Coffer.Server.Organizations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Ciphers;

/// <summary>
/// Attachments (<c>bitwarden-sharing-features.md</c> §2): reserve a slot (v2), upload into it (multipart, direct),
/// mint a download URL, download with that URL's token alone, delete. Items are found through <see cref="CipherItems"/>,
/// so another user's item is a 404; changing needs edit rights (else 400), reading needs only visibility; never 403,
/// which logs the CLI out (§2.10). Ids in paths are checked before anything is looked up, and the blob key is built
/// from the database row's ids (<see cref="BlobKeys"/>), never from the URL.
/// </summary>
public static class AttachmentEndpoints
{
    public static void MapAttachments(this IEndpointRouteBuilder api)
    {
        var cipher = api.MapGroup("/ciphers/{id:guid}").WithTags("Attachments");
        cipher.MapPost("/attachment/v2", CreateSlot).Produces<AttachmentUploadDataResponseModel>()
            .WithSummary("Reserve an upload slot: checks size and quota, answers the item with the new attachment (§2.2)");
        cipher.MapPost("/attachment/{attachmentId}", Upload).AcceptsFileUpload()
            .WithSummary("Upload the encrypted file into its slot: multipart, one part named data (§2.3)");
        cipher.MapGet("/attachment/{attachmentId}", (Guid id, string attachmentId, ClaimsPrincipal p, CofferDb db, HttpContext c, CancellationToken ct) =>
                GetDownloadUrl(id, attachmentId, p, db, c, admin: false, ct))
            .Produces<AttachmentResponseModel>().WithSummary("The attachment with a fresh download URL, valid 5 minutes (§2.5)");
        cipher.MapGet("/attachment/{attachmentId}/admin", (Guid id, string attachmentId, ClaimsPrincipal p, CofferDb db, HttpContext c, CancellationToken ct) =>
                GetDownloadUrl(id, attachmentId, p, db, c, admin: true, ct))
            .Produces<AttachmentResponseModel>().WithSummary("The same for the admin console");
        foreach (var (method, suffix, admin, summary) in new[]
        {
            ("DELETE", "", false, "Delete an attachment and its file; answers {\"cipher\":…} (§2.6)"),
            ("POST", "/delete", false, "Alias of DELETE"),
            ("DELETE", "/admin", true, "Alias of DELETE for the admin console"),
            ("POST", "/delete-admin", true, "Alias of DELETE for the admin console"),
        })
        {
            cipher.MapMethods("/attachment/{attachmentId}" + suffix, [method],
                    (Guid id, string attachmentId, ClaimsPrincipal p, CofferDb db, Changes c, HttpContext h, CancellationToken ct) => Delete(id, attachmentId, p, db, c, h, admin, ct))
                .Produces<DeleteAttachmentResponseData>().WithSummary(summary);
        }

        cipher.MapAttachmentShare();
    }

    /// <summary>
    /// <c>GET /attachments/{cipherId}/{attachmentId}?token=…</c>: the encrypted file, to whoever holds the URL's token
    /// (the clients fetch it with no access token, §1.3). The token must be valid, unexpired, for exactly this item and
    /// attachment, and its user must still see the item; anything else is a 404.
    /// </summary>
    public static void MapAttachmentDownloads(this IEndpointRouteBuilder app)
    {
        app.MapGet("/attachments/{cipherId}/{attachmentId}", Download).AllowAnonymous().WithTags("Attachments")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .WithSummary("Download an encrypted attachment with the token of its download URL");
    }

    internal static IResult AttachmentNotFound() => BitwardenErrors.NotFound("Attachment doesn't exist.");

    /// <summary>True for an id of the form Coffer hands out (<see cref="Attachment.NewId"/>) or Vaultwarden did (hex): <c>[a-z0-9]{1,32}</c>.</summary>
    internal static bool IsAttachmentId(string? id) =>
        id is { Length: >= 1 and <= 32 } && id.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9'));

    private static async Task<IResult> CreateSlot(Guid id, AttachmentRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes,
        StorageQuota quota, IOptions<ServerOptions> options, HttpContext context, CancellationToken ct)
    {
        if ((CipherAttachments.CheckEncString(request.FileName, "fileName") ?? CipherAttachments.CheckEncString(request.Key, "key")) is { } invalid)
        {
            return BitwardenErrors.BadRequest(invalid);
        }

        if (ParseSize(request.FileSize) is not { } size)
        {
            return BitwardenErrors.BadRequest("fileSize must be a positive whole number of bytes.", "fileSize");
        }

        var limits = options.Value.Files;
        if (size > limits.MaxFileBytes)
        {
            return BitwardenErrors.BadRequest(MaxFileSizeMessage(limits), "fileSize");
        }

        var userId = principal.UserId();
        var access = await VaultAccess.LoadAsync(db, userId, ct);
        var item = await FindItemAsync(db, access, id, request.AdminRequest, ct);
        if (item is null)
        {
            return CipherEndpoints.CipherNotFound();
        }

        var cipher = item.Cipher;
        if (!item.Flags.CanEdit)
        {
            return CipherEndpoints.NoEditPermission();
        }

        if (request.LastKnownRevisionDate is { } known && CipherEndpoints.IsStale(known, cipher))
        {
            return CipherEndpoints.StaleCipher();
        }

        if (!await quota.FitsAsync(cipher.UserId, cipher.OrganizationId, size, ct))
        {
            return NotEnoughStorage();
        }

        var attachment = new Attachment
        {
            Id = Attachment.NewId(),
            CipherId = cipher.Id,
            FileName = request.FileName!,
            Key = request.Key,
            Size = size,
            Uploaded = false,
            CreationDate = changes.Now,
        };
        db.Attachments.Add(attachment);
        // Upstream bumps the item here and pushes; the upload then leaves the item's revision alone (§2.11, pitfall 3).
        cipher.Revise(changes.Now);
        // Checked again inside the commit, so two slots racing for the last free bytes cannot both be reserved.
        quota.RequireFits(changes, cipher.UserId, cipher.OrganizationId, size);
        try
        {
            await CipherEndpoints.CommitItemAsync(db, changes, userId, item, EventType.CipherAttachmentCreated, PushType.SyncCipherUpdate, ct);
        }
        catch (ChangeRefusedException)
        {
            return NotEnoughStorage();
        }

        var rendered = JsonSerializer.Deserialize<JsonElement>(await CipherJson.RenderAsync(context, cipher, item.View(access), attachment));
        return Results.Ok(new AttachmentUploadDataResponseModel
        {
            AttachmentId = attachment.Id,
            Url = $"/ciphers/{cipher.Id:D}/attachment/{attachment.Id}",
            FileUploadType = 0,
            CipherResponse = request.AdminRequest ? null : rendered,
            CipherMiniResponse = request.AdminRequest ? rendered : null,
        });
    }

    private static async Task<IResult> Upload(Guid id, string attachmentId, ClaimsPrincipal principal, CofferDb db, Changes changes, StorageQuota quota,
        IBlobStore blobs, IOptions<ServerOptions> options, HttpRequest request, CancellationToken ct)
    {
        var userId = principal.UserId();
        var access = await VaultAccess.LoadAsync(db, userId, ct);
        var (item, attachment, error) = await FindForChangeAsync(db, access, id, attachmentId, admin: false, ct);
        if (error is not null)
        {
            return error;
        }

        if (attachment!.Uploaded)
        {
            // No client uploads twice; an overwrite would let an editor swap a file under its name and key.
            return BitwardenErrors.BadRequest("This attachment has already been uploaded.");
        }

        var limits = options.Value.Files;
        var key = BlobKeys.Attachment(attachment.CipherId, attachment.Id);
        var maxBytes = Math.Min(attachment.Size + FileStorageOptions.SizeLeewayBytes, limits.MaxFileBytes);
        var upload = await FileUpload.ReadAsync(request, blobs, key, maxBytes, ct);
        if (upload.Staged is not { } staged)
        {
            return BitwardenErrors.BadRequest(upload.TooLarge ? TooLargeMessage(attachment, limits) : upload.Error!);
        }

        if (Math.Abs(staged.Length - attachment.Size) > FileStorageOptions.SizeLeewayBytes)
        {
            await blobs.DiscardAsync(staged);
            return BitwardenErrors.BadRequest(TooLargeMessage(attachment, limits));
        }

        // The slot's declared size is already counted; only the difference is new (§2.3 step 6, A-6).
        if (staged.Length > attachment.Size && !await quota.FitsAsync(item!.Cipher.UserId, item.Cipher.OrganizationId, staged.Length - attachment.Size, ct))
        {
            await blobs.DiscardAsync(staged);
            return NotEnoughStorage();
        }

        try
        {
            await blobs.CommitAsync(staged, ct);
        }
        catch (BlobExistsException)
        {
            return BitwardenErrors.BadRequest("This attachment has already been uploaded.");
        }

        if (staged.Length > attachment.Size)
        {
            quota.RequireFits(changes, item!.Cipher.UserId, item.Cipher.OrganizationId, staged.Length - attachment.Size);
        }

        attachment.Uploaded = true;
        attachment.Size = staged.Length;
        try
        {
            // The account revision moves and devices hear of it; the item's revision stays (§2.3 step 9).
            await CipherEndpoints.CommitItemAsync(db, changes, userId, item!, null, PushType.SyncCipherUpdate, ct);
        }
        catch (ChangeRefusedException)
        {
            // Another upload took the last free bytes while these arrived.
            await blobs.DeleteAsync(key, CancellationToken.None);
            return NotEnoughStorage();
        }
        catch (DbUpdateConcurrencyException)
        {
            // The slot was deleted (or claimed) while the bytes arrived: the file has no row to belong to.
            await blobs.DeleteAsync(key, CancellationToken.None);
            return AttachmentNotFound();
        }

        return Results.Ok();
    }

    private static async Task<IResult> GetDownloadUrl(Guid id, string attachmentId, ClaimsPrincipal principal, CofferDb db, HttpContext context, bool admin, CancellationToken ct)
    {
        var access = await VaultAccess.LoadAsync(db, principal.UserId(), ct);
        var item = IsAttachmentId(attachmentId) ? await FindItemAsync(db, access, id, admin, ct) : null;
        if (item is null)
        {
            return IsAttachmentId(attachmentId) ? CipherEndpoints.CipherNotFound() : AttachmentNotFound();
        }

        var (attachment, error) = await FindAttachmentAsync(db, id, attachmentId, ct);
        if (error is not null)
        {
            return error;
        }

        if (!attachment!.Uploaded)
        {
            return BitwardenErrors.BadRequest("The file of this attachment has not been uploaded.");
        }

        var url = CipherAttachments.UrlMinter(context)!(attachment);
        return Results.Ok(new AttachmentResponseModel
        {
            Id = attachment.Id,
            Url = url,
            FileName = attachment.FileName,
            Key = attachment.Key,
            Size = attachment.Size.ToString(CultureInfo.InvariantCulture),
            SizeName = AttachmentJson.SizeName(attachment.Size),
        });
    }

    private static async Task<IResult> Delete(Guid id, string attachmentId, ClaimsPrincipal principal, CofferDb db, Changes changes, HttpContext context, bool admin, CancellationToken ct)
    {
        var userId = principal.UserId();
        var access = await VaultAccess.LoadAsync(db, userId, ct);
        var (item, attachment, error) = await FindForChangeAsync(db, access, id, attachmentId, admin, ct);
        if (error is not null)
        {
            return error;
        }

        // Tracked removal: Changes deletes the file once the row is gone (Files/BlobCleanup); a missing file is fine.
        db.Attachments.Remove(attachment!);
        item!.Cipher.Revise(changes.Now);
        await CipherEndpoints.CommitItemAsync(db, changes, userId, item, EventType.CipherAttachmentDeleted, PushType.SyncCipherUpdate, ct);
        // The client takes the item's new revision date from here; an empty body leaves it at 1970 (§2.6, pitfall 3).
        var rendered = JsonSerializer.Deserialize<JsonElement>(await CipherJson.RenderAsync(context, item.Cipher, item.View(access)));
        return Results.Ok(new DeleteAttachmentResponseData { Cipher = rendered });
    }

    private static async Task<IResult> Download(string cipherId, string attachmentId, string? token, ScopedTokens tokens, CofferDb db, IBlobStore blobs,
        HttpResponse response, CancellationToken ct)
    {
        // Ids are checked before anything is read, and the key comes from the row.
        if (!Guid.TryParseExact(cipherId, "D", out var id) || !IsAttachmentId(attachmentId)
            || await tokens.ValidateAsync(ScopedTokens.AttachmentDownload, token) is not { UserId: { } userId } valid
            || valid.Subject != CipherAttachments.Subject(id, attachmentId))
        {
            return DownloadNotFound();
        }

        // The token's user must still see the item: a member removed from its collection loses unexpired links too.
        var access = await VaultAccess.LoadAsync(db, userId, ct);
        var item = await CipherItems.FindAsync(db, access, id, ct);
        var attachment = item is null ? null
            : await db.Attachments.AsNoTracking().SingleOrDefaultAsync(a => a.Id == attachmentId && a.CipherId == id && a.Uploaded, ct);
        if (attachment is null || await blobs.OpenReadAsync(BlobKeys.Attachment(attachment.CipherId, attachment.Id), ct) is not { } content)
        {
            return DownloadNotFound();
        }

        response.Headers.CacheControl = "no-store";
        response.ContentLength = content.Length;
        return Results.Stream(content.Stream, "application/octet-stream");
    }

    private static IResult DownloadNotFound() =>
        Results.Problem(detail: "No such file, or the link has expired.", statusCode: StatusCodes.Status404NotFound);

    /// <summary>The item for a change to one of its attachments: visible (else 404), editable (else 400), the attachment its own.</summary>
    private static async Task<(CipherItem? Item, Attachment? Attachment, IResult? Error)> FindForChangeAsync(CofferDb db, VaultAccess access, Guid id,
        string attachmentId, bool admin, CancellationToken ct)
    {
        if (!IsAttachmentId(attachmentId))
        {
            return (null, null, AttachmentNotFound());
        }

        var item = await FindItemAsync(db, access, id, admin, ct);
        if (item is null)
        {
            return (null, null, CipherEndpoints.CipherNotFound());
        }

        if (!item.Flags.CanEdit)
        {
            return (null, null, CipherEndpoints.NoEditPermission());
        }

        var (attachment, error) = await FindAttachmentAsync(db, id, attachmentId, ct);
        return (item, attachment, error);
    }

    /// <summary>The caller's item; for the admin console's routes also any item of an organization where they can edit every collection.</summary>
    private static async Task<CipherItem?> FindItemAsync(CofferDb db, VaultAccess access, Guid id, bool admin, CancellationToken ct) =>
        await CipherItems.FindAsync(db, access, id, ct) ?? (admin ? await CipherAdminEndpoints.FindAsAdminAsync(db, access, id, ct) : null);

    /// <summary>The attachment, tracked, when it belongs to item <paramref name="cipherId"/>; else 404, or 400 for another item's .</summary>
    private static async Task<(Attachment? Attachment, IResult? Error)> FindAttachmentAsync(CofferDb db, Guid cipherId, string attachmentId, CancellationToken ct)
    {
        var attachment = await db.Attachments.SingleOrDefaultAsync(a => a.Id == attachmentId, ct);
        return attachment is null ? (null, AttachmentNotFound())
            : attachment.CipherId != cipherId ? (null, BitwardenErrors.BadRequest("Attachment doesn't belong to cipher."))
            : (attachment, null);
    }

    /// <summary>A positive number of bytes, from a JSON number or a numeric string (Vaultwarden's <c>NumberOrString</c>, A-12); else null.</summary>
    internal static long? ParseSize(JsonElement? value)
    {
        long size;
        var parsed = value switch
        {
            { ValueKind: JsonValueKind.Number } number => number.TryGetInt64(out size),
            { ValueKind: JsonValueKind.String } text => long.TryParse(TextOf(text), NumberStyles.None, CultureInfo.InvariantCulture, out size),
            _ => (size = 0) != 0,
        };
        return parsed && size > 0 ? size : null;
    }

    // A JsonElement keeps a string's bytes raw until read, so invalid UTF-8 surfaces here, as no number at all.
    private static string? TextOf(JsonElement text)
    {
        try
        {
            return text.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    internal static IResult NotEnoughStorage() => BitwardenErrors.BadRequest(StorageQuota.Exceeded);

    internal static string MaxFileSizeMessage(FileStorageOptions limits) =>
        string.Create(CultureInfo.InvariantCulture, $"Max file size is {limits.MaxFileBytes / (1024 * 1024)} MB.");

    private static string TooLargeMessage(Attachment attachment, FileStorageOptions limits) =>
        string.Create(CultureInfo.InvariantCulture, $"The file does not match its declared size of {attachment.Size} bytes (or exceeds {limits.MaxFileBytes} bytes).");
}
