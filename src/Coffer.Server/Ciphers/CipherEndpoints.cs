using System.Security.Claims;
using Coffer.Protocol.Api;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Files;
using Coffer.Server.Folders;
using Coffer.Server.Identity;
using Coffer.Server.Notifications;
using Coffer.Server.Organizations;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Ciphers;

/// <summary>
/// Single-item cipher routes (protocol §4.10–4.13), for personal and organization items alike. Every item is looked
/// up through <see cref="VaultAccess"/> (<see cref="CipherItems"/>), so another user's item, or an organization
/// item outside the caller's collections, is simply "not found" (404, never 403, which would log the CLI out); a
/// visible item the caller may not change is a 400 with a message (doc <c>bitwarden-organizations.md</c> §9.2).
/// </summary>
public static class CipherEndpoints
{
    // The TS client sends milliseconds and the SDK whole seconds, so revision dates match within 1 s (protocol §4.10).
    private static readonly TimeSpan RevisionTolerance = TimeSpan.FromSeconds(1);

    public static void MapCiphers(this IEndpointRouteBuilder api)
    {
        var ciphers = api.MapGroup("/ciphers").WithTags("Ciphers");
        ciphers.MapGet("", List).Produces<ListResponseModel<CipherDetailsResponseModel>>();
        ciphers.MapPost("", Create).Produces<CipherDetailsResponseModel>();
        ciphers.MapPost("/create", OrgCipherEndpoints.CreateWithCollections).Produces<CipherDetailsResponseModel>();
        ciphers.MapCipherAdmin();
        ciphers.MapCipherCollections();
        ciphers.MapOrganizationCiphers();
        ciphers.MapGet("/{id}", Get).Produces<CipherDetailsResponseModel>();
        ciphers.MapGet("/{id}/details", Get).Produces<CipherDetailsResponseModel>();
        ciphers.MapPut("/{id}", Update).Produces<CipherDetailsResponseModel>();
        ciphers.MapPost("/{id}", Update).Produces<CipherDetailsResponseModel>().WithSummary("Alias of PUT");
        ciphers.MapPut("/{id}/delete", SoftDelete).WithSummary("Move to the trash");
        ciphers.MapPut("/{id}/restore", Restore).Produces<CipherDetailsResponseModel>();
        ciphers.MapDelete("/{id}", Delete).WithSummary("Delete permanently");
        ciphers.MapPost("/{id}/delete", Delete).WithSummary("Alias of DELETE");
        ciphers.MapBulkCiphers();
    }

    internal static IResult CipherNotFound() => BitwardenErrors.NotFound("Cipher doesn't exist.");

    /// <summary>True when a client's <c>lastKnownRevisionDate</c> is more than the tolerance away from the stored revision.</summary>
    internal static bool IsStale(DateTime known, Cipher cipher) => (known.ToUniversalTime() - cipher.RevisionDate).Duration() > RevisionTolerance;

    internal static IResult StaleCipher() => BitwardenErrors.BadRequest("The client copy of this cipher is out of date. Resync the client and try again.");

    internal static IResult NoEditPermission() => BitwardenErrors.BadRequest("You do not have permission to edit this item.");

    private static async Task<IResult> List(ClaimsPrincipal principal, CofferDb db, HttpResponse response, CancellationToken ct)
    {
        var access = await VaultAccess.LoadAsync(db, principal.UserId(), ct);
        var items = await CipherItems.VisibleAsync(db, access, ct);
        await CipherJson.WriteListAsync(response, items.Select(i => (i.Cipher, i.View(access))), ct);
        return Results.Empty;
    }

    private static async Task<IResult> Get(Guid id, ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        var access = await VaultAccess.LoadAsync(db, principal.UserId(), ct);
        var item = await CipherItems.FindAsync(db, access, id, ct);
        return item is null ? CipherNotFound() : CipherJson.Result(item.Cipher, item.View(access));
    }

    internal static async Task<IResult> Create(CipherRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, IBlobStore blobs, StorageQuota quota,
        CancellationToken ct)
    {
        if (request.OrganizationId is { Length: > 0 })
        {
            // bw create item with an organization but no collections comes here (doc §0.2 item 6, §6.1).
            return await OrgCipherEndpoints.CreateInOrganizationAsync(request, [], principal, db, changes, blobs, quota, ct);
        }

        var userId = principal.UserId();
        if (CipherValidation.Validate(request, userId) is { } error)
        {
            return BitwardenErrors.BadRequest(error);
        }

        if (await PolicyEnforcement.CheckPersonalItemAsync(db, userId, ct) is { } forbidden)
        {
            return BitwardenErrors.BadRequest(forbidden);
        }

        // lastKnownRevisionDate is sent on create too and is ignored there (protocol §7.3).
        var folder = await ResolveFolder(request.FolderId, userId, db, ct);
        if (folder.Error is not null)
        {
            return folder.Error;
        }

        var cipher = Cipher.Create(request, changes.Now, userId, null, folder.Id);
        db.Ciphers.Add(cipher);
        if (request.Attachments2 is { Count: > 0 }
            && await CipherAttachments.CopyAsync(db, await VaultAccess.LoadAsync(db, userId, ct), blobs, quota, cipher, request.Attachments2, changes.Now, ct) is { } refused)
        {
            return refused;
        }

        changes.Record(EventType.CipherCreated, userId, cipher.Id);
        changes.Notify(PushType.SyncCipherCreate, userId, cipher.Id, cipher.RevisionDate);
        await changes.CommitAsync(userId, ct);
        return CipherJson.Result(cipher);
    }

    private static async Task<IResult> Update(Guid id, CipherRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var userId = principal.UserId();
        if (CipherValidation.Validate(request, userId) is { } error)
        {
            return BitwardenErrors.BadRequest(error);
        }

        var access = await VaultAccess.LoadAsync(db, userId, ct);
        var item = await CipherItems.FindAsync(db, access, id, ct);
        if (item is null)
        {
            return CipherNotFound();
        }

        var (updated, refused) = await ApplyUpdateAsync(item, request, userId, db, changes, ct);
        return refused ?? CipherJson.Result(updated!.Cipher, updated.View(access));
    }

    /// <summary>
    /// The checks and changes of an edit, shared with the admin edit: the revision check, the type, the organization
    /// (an edit never moves an item between vaults, doc §9.2), edit permission, the caller's folder; then commits.
    /// The item as it now is, or the answer to a refused edit.
    /// </summary>
    internal static async Task<(CipherItem? Item, IResult? Error)> ApplyUpdateAsync(CipherItem item, CipherRequestModel request, Guid userId, CofferDb db, Changes changes, CancellationToken ct)
    {
        var cipher = item.Cipher;
        if (request.LastKnownRevisionDate is { } known && IsStale(known, cipher))
        {
            return (null, StaleCipher());
        }

        Guid? requestedOrganization = Guid.TryParse(request.OrganizationId, out var parsed) ? parsed : null;
        if (requestedOrganization != cipher.OrganizationId)
        {
            return (null, BitwardenErrors.BadRequest("Organization mismatch. Please resync the client before updating the cipher.", "organizationId"));
        }

        if (request.Type != cipher.Type)
        {
            return (null, BitwardenErrors.BadRequest("The type of an item cannot change.", "type"));
        }

        if (!item.Flags.CanEdit)
        {
            return (null, NoEditPermission());
        }

        var folder = await ResolveFolder(request.FolderId, userId, db, ct);
        if (folder.Error is not null)
        {
            return (null, folder.Error);
        }

        if (await CipherAttachments.ApplyKeysAsync(db, cipher.Id, request.Attachments2, ct) is { } badAttachments)
        {
            return (null, BitwardenErrors.BadRequest(badAttachments, "attachments2"));
        }

        item = CipherItems.SetPreference(db, item, userId, folder.Id, request.Favorite);
        cipher.Data = CipherValidation.Serialize(request);
        cipher.ArchivedDate = request.ArchivedDate;
        cipher.Revise(changes.Now);
        await CommitItemAsync(db, changes, userId, item, EventType.CipherUpdated, PushType.SyncCipherUpdate, ct);
        return (item, null);
    }

    private static async Task<IResult> SoftDelete(Guid id, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct) =>
        await ChangeOneAsync(id, principal, db, changes, SoftDeleteAsync, ct) ?? Results.Ok();

    private static async Task<IResult> Restore(Guid id, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var access = await VaultAccess.LoadAsync(db, principal.UserId(), ct);
        var item = await CipherItems.FindAsync(db, access, id, ct);
        return item is null ? CipherNotFound()
            : await RestoreAsync(item, principal.UserId(), db, changes, ct) ?? CipherJson.Result(item.Cipher, item.View(access));
    }

    private static async Task<IResult> Delete(Guid id, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct) =>
        await ChangeOneAsync(id, principal, db, changes, DeleteAsync, ct) ?? Results.Ok();

    private static async Task<IResult?> ChangeOneAsync(Guid id, ClaimsPrincipal principal, CofferDb db, Changes changes,
        Func<CipherItem, Guid, CofferDb, Changes, CancellationToken, Task<IResult?>> change, CancellationToken ct)
    {
        var access = await VaultAccess.LoadAsync(db, principal.UserId(), ct);
        var item = await CipherItems.FindAsync(db, access, id, ct);
        return item is null ? CipherNotFound() : await change(item, principal.UserId(), db, changes, ct);
    }

    /// <summary>Moves an item to the trash: needs manage or edit (doc §7.3, upstream without <c>limitItemDeletion</c>).</summary>
    internal static Task<IResult?> SoftDeleteAsync(CipherItem item, Guid userId, CofferDb db, Changes changes, CancellationToken ct) =>
        SetTrashedAsync(item, userId, db, changes, trashed: true, ct);

    internal static Task<IResult?> RestoreAsync(CipherItem item, Guid userId, CofferDb db, Changes changes, CancellationToken ct) =>
        SetTrashedAsync(item, userId, db, changes, trashed: false, ct);

    private static async Task<IResult?> SetTrashedAsync(CipherItem item, Guid userId, CofferDb db, Changes changes, bool trashed, CancellationToken ct)
    {
        if (!item.Flags.CanEdit)
        {
            return NoEditPermission();
        }

        item.Cipher.DeletedDate = trashed ? item.Cipher.DeletedDate ?? changes.Now : null;
        item.Cipher.Revise(changes.Now);
        // A trashed item still exists: an update either way, as upstream sends (notifications doc §9).
        await CommitItemAsync(db, changes, userId, item, trashed ? EventType.CipherSoftDeleted : EventType.CipherRestored, PushType.SyncCipherUpdate, ct);
        return null;
    }

    internal static async Task<IResult?> DeleteAsync(CipherItem item, Guid userId, CofferDb db, Changes changes, CancellationToken ct)
    {
        if (!item.Flags.CanEdit)
        {
            return NoEditPermission();
        }

        db.Ciphers.Remove(item.Cipher);
        await CommitItemAsync(db, changes, userId, item, EventType.CipherDeleted, PushType.SyncLoginDelete, ct);
        return null;
    }

    /// <summary>
    /// Records (unless <paramref name="type"/> is null), notifies and commits a change to one item. A personal item concerns its owner; an organization item
    /// every Confirmed member who can see it in <paramref name="item"/>'s collections or in
    /// <paramref name="previousCollections"/> (they lose it), whose revision dates are bumped (pitfall P12) and whose
    /// devices get the notification with the organization and collection ids (doc §10).
    /// </summary>
    internal static async Task CommitItemAsync(CofferDb db, Changes changes, Guid userId, CipherItem item, EventType? type, PushType push, CancellationToken ct,
        IReadOnlyList<Guid>? previousCollections = null)
    {
        var cipher = item.Cipher;
        DateTime? date = push == PushType.SyncLoginDelete ? null : cipher.RevisionDate;
        if (cipher.OrganizationId is not { } organizationId)
        {
            if (type is { } personal)
            {
                changes.Record(personal, userId, cipher.Id);
            }

            changes.Notify(push, userId, cipher.Id, date);
            await changes.CommitAsync(userId, ct);
            return;
        }

        var audience = await Audience.LoadAsync(db, organizationId, ct);
        var users = audience.ForCollections(item.CollectionIds.Concat(previousCollections ?? []));
        users.Add(userId);
        if (type is { } shared)
        {
            changes.RecordOrganization(shared, organizationId, userId, cipher.Id);
        }

        changes.NotifyOrganizationItem(push, users, organizationId, cipher.Id, item.CollectionIds, date);
        await changes.CommitAsync(users, ct);
    }

    /// <summary>Parses and checks a requested folder id: "" and null mean no folder; another user's folder is 404.</summary>
    internal static async Task<(Guid? Id, IResult? Error)> ResolveFolder(string? raw, Guid userId, CofferDb db, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(raw))
        {
            return (null, null);
        }

        if (!Guid.TryParse(raw, out var folderId))
        {
            return (null, BitwardenErrors.BadRequest("folderId is not a valid id.", "folderId"));
        }

        return await db.Folders.AnyAsync(f => f.Id == folderId && f.UserId == userId, ct)
            ? (folderId, null)
            : (null, FolderEndpoints.FolderNotFound());
    }
}
