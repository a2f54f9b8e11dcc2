using System.Security.Claims;
using Coffer.Protocol.Api;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Identity;
using Coffer.Server.Notifications;
using Coffer.Server.Organizations;

namespace Coffer.Server.Ciphers;

/// <summary>
/// Bulk routes (protocol §4.12). Each request is one transaction: every id must name an item the caller can see
/// (their own, or an organization item through <see cref="VaultAccess"/>), and deleting or restoring one needs edit
/// rights on it (doc <c>bitwarden-organizations.md</c> §7.3), or nothing changes.
/// </summary>
public static class CipherBulkEndpoints
{
    private const int MaxBulkIds = 5000;

    public static void MapBulkCiphers(this RouteGroupBuilder ciphers)
    {
        ciphers.MapPut("/delete", SoftDeleteMany).WithSummary("Move several items to the trash");
        ciphers.MapPost("/delete", SoftDeleteMany).WithSummary("Alias of PUT /delete");
        ciphers.MapDelete("", DeleteMany).WithSummary("Delete several items permanently");
        ciphers.MapPut("/restore", RestoreMany).Produces<ListResponseModel<CipherDetailsResponseModel>>();
        ciphers.MapPut("/move", MoveMany).WithSummary("Move several items into a folder (or out of any)");
        ciphers.MapPost("/move", MoveMany).WithSummary("Alias of PUT /move");
        ciphers.MapCipherImport();
    }

    private static async Task<IResult> SoftDeleteMany(CipherBulkRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var (items, error) = await LoadVisible(request.Ids, principal.UserId(), db, needsEdit: true, ct);
        if (error is not null)
        {
            return error;
        }

        foreach (var item in items)
        {
            item.Cipher.DeletedDate ??= changes.Now;
            item.Cipher.Revise(changes.Now);
        }

        await CommitManyAsync(db, changes, principal.UserId(), items, EventType.CipherSoftDeleted, ct);
        return Results.Ok();
    }

    private static async Task<IResult> DeleteMany([Microsoft.AspNetCore.Mvc.FromBody] CipherBulkRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var (items, error) = await LoadVisible(request.Ids, principal.UserId(), db, needsEdit: true, ct);
        if (error is not null)
        {
            return error;
        }

        db.Ciphers.RemoveRange(items.Select(i => i.Cipher));
        await CommitManyAsync(db, changes, principal.UserId(), items, EventType.CipherDeleted, ct);
        return Results.Ok();
    }

    private static async Task<IResult> RestoreMany(CipherBulkRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, HttpResponse response, CancellationToken ct)
    {
        var userId = principal.UserId();
        var access = await VaultAccess.LoadAsync(db, userId, ct);
        var (items, error) = await LoadVisible(request.Ids, access, db, needsEdit: true, ct);
        if (error is not null)
        {
            return error;
        }

        foreach (var item in items)
        {
            item.Cipher.DeletedDate = null;
            item.Cipher.Revise(changes.Now);
        }

        await CommitManyAsync(db, changes, userId, items, EventType.CipherRestored, ct);
        await CipherJson.WriteListAsync(response, items.Select(i => (i.Cipher, i.View(access))), ct);
        return Results.Empty;
    }

    private static async Task<IResult> MoveMany(CipherBulkMoveRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var userId = principal.UserId();
        var folder = await CipherEndpoints.ResolveFolder(request.FolderId, userId, db, ct);
        if (folder.Error is not null)
        {
            return folder.Error;
        }

        // Folders are the caller's own, so filing an organization item needs no edit right on it (pitfall P11).
        var (items, error) = await LoadVisible(request.Ids, userId, db, needsEdit: false, ct);
        if (error is not null)
        {
            return error;
        }

        foreach (var item in items)
        {
            _ = CipherItems.SetPreference(db, item, userId, folder.Id, item.Preference?.Favorite ?? item.Cipher.Favorite);
            if (item.Cipher.OrganizationId is null)
            {
                item.Cipher.Revise(changes.Now);
                changes.Record(EventType.CipherUpdated, userId, item.Cipher.Id);
            }
        }

        // Only the caller's view changed: their own devices resync, nobody else's.
        changes.Notify(PushType.SyncCiphers, userId);
        await changes.CommitAsync(userId, ct);
        return Results.Ok();
    }

    private static async Task<(List<CipherItem> Items, IResult? Error)> LoadVisible(IReadOnlyList<Guid>? ids, Guid userId, CofferDb db, bool needsEdit, CancellationToken ct) =>
        await LoadVisible(ids, await VaultAccess.LoadAsync(db, userId, ct), db, needsEdit, ct);

    private static async Task<(List<CipherItem> Items, IResult? Error)> LoadVisible(IReadOnlyList<Guid>? ids, VaultAccess access, CofferDb db, bool needsEdit, CancellationToken ct)
    {
        if (ids is not { Count: > 0 and <= MaxBulkIds })
        {
            return ([], BitwardenErrors.BadRequest($"ids must list 1 to {MaxBulkIds} item ids.", "ids"));
        }

        var distinct = ids.Distinct().ToList();
        var items = await CipherItems.FindManyAsync(db, access, distinct, ct);
        if (items.Count != distinct.Count)
        {
            return ([], CipherEndpoints.CipherNotFound());
        }

        return needsEdit && items.Any(i => !i.Flags.CanEdit) ? ([], CipherEndpoints.NoEditPermission()) : (items, null);
    }

    /// <summary>
    /// Records a bulk change and commits it: the caller's own items concern them, each organization's items every
    /// member who can see them (revision bumps, pitfall P12), and everyone concerned gets one <c>SyncCiphers</c> (doc §10.5).
    /// </summary>
    internal static async Task CommitManyAsync(CofferDb db, Changes changes, Guid userId, IReadOnlyList<CipherItem> items, EventType type, CancellationToken ct)
    {
        var users = new HashSet<Guid> { userId };
        foreach (var item in items.Where(i => i.Cipher.OrganizationId is null))
        {
            changes.Record(type, userId, item.Cipher.Id);
        }

        foreach (var organization in items.Where(i => i.Cipher.OrganizationId is not null).GroupBy(i => i.Cipher.OrganizationId!.Value))
        {
            var audience = await Audience.LoadAsync(db, organization.Key, ct);
            users.UnionWith(audience.ForCollections(organization.SelectMany(i => i.CollectionIds)));
            foreach (var item in organization)
            {
                changes.RecordOrganization(type, organization.Key, userId, item.Cipher.Id);
            }
        }

        foreach (var user in users)
        {
            changes.Notify(PushType.SyncCiphers, user);
        }

        await changes.CommitAsync(users, ct);
    }
}

/// <summary>Imports may be larger than ordinary requests (see <see cref="ServerOptions.MaxImportBytes"/>).</summary>
public sealed class ImportSizeLimit;
