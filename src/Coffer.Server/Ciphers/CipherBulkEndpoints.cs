using System.Security.Claims;
using Coffer.Protocol.Api;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Identity;
using Coffer.Server.Notifications;
using Coffer.Server.Organizations;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Ciphers;

/// <summary>
/// Bulk routes and import (protocol §4.12, §4.14). Each request is one transaction: every id must belong to
/// the caller and every imported item must be valid, or nothing changes.
/// </summary>
public static class CipherBulkEndpoints
{
    private const int MaxBulkIds = 5000;
    private const int MaxImportItems = 20_000;

    public static void MapBulkCiphers(this RouteGroupBuilder ciphers)
    {
        ciphers.MapPut("/delete", SoftDeleteMany).WithSummary("Move several items to the trash");
        ciphers.MapPost("/delete", SoftDeleteMany).WithSummary("Alias of PUT /delete");
        ciphers.MapDelete("", DeleteMany).WithSummary("Delete several items permanently");
        ciphers.MapPut("/restore", RestoreMany).Produces<ListResponseModel<CipherDetailsResponseModel>>();
        ciphers.MapPut("/move", MoveMany).WithSummary("Move several items into a folder (or out of any)");
        ciphers.MapPost("/move", MoveMany).WithSummary("Alias of PUT /move");
        ciphers.MapPost("/import", Import)
            .WithMetadata(new ImportSizeLimit())
            .WithSummary("Import items and folders in one transaction");
    }

    private static async Task<IResult> SoftDeleteMany(CipherBulkRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var (ciphers, error) = await LoadOwned(request.Ids, principal.UserId(), db, ct);
        if (error is not null)
        {
            return error;
        }

        foreach (var cipher in ciphers)
        {
            cipher.DeletedDate ??= changes.Now;
            cipher.Revise(changes.Now);
            changes.Record(EventType.CipherSoftDeleted, cipher.UserId, cipher.Id);
        }

        changes.Notify(PushType.SyncCiphers, principal.UserId());
        await changes.CommitAsync(principal.UserId(), ct);
        return Results.Ok();
    }

    private static async Task<IResult> DeleteMany([Microsoft.AspNetCore.Mvc.FromBody] CipherBulkRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var (ciphers, error) = await LoadOwned(request.Ids, principal.UserId(), db, ct);
        if (error is not null)
        {
            return error;
        }

        db.Ciphers.RemoveRange(ciphers);
        foreach (var cipher in ciphers)
        {
            changes.Record(EventType.CipherDeleted, cipher.UserId, cipher.Id);
        }

        changes.Notify(PushType.SyncCiphers, principal.UserId());
        await changes.CommitAsync(principal.UserId(), ct);
        return Results.Ok();
    }

    private static async Task<IResult> RestoreMany(CipherBulkRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, HttpResponse response, CancellationToken ct)
    {
        var (ciphers, error) = await LoadOwned(request.Ids, principal.UserId(), db, ct);
        if (error is not null)
        {
            return error;
        }

        foreach (var cipher in ciphers)
        {
            cipher.DeletedDate = null;
            cipher.Revise(changes.Now);
            changes.Record(EventType.CipherRestored, cipher.UserId, cipher.Id);
        }

        changes.Notify(PushType.SyncCiphers, principal.UserId());
        await changes.CommitAsync(principal.UserId(), ct);
        await CipherJson.WriteListAsync(response, ciphers, ct);
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

        var (ciphers, error) = await LoadOwned(request.Ids, userId, db, ct);
        if (error is not null)
        {
            return error;
        }

        foreach (var cipher in ciphers)
        {
            cipher.FolderId = folder.Id;
            cipher.Revise(changes.Now);
            changes.Record(EventType.CipherUpdated, userId, cipher.Id);
        }

        changes.Notify(PushType.SyncCiphers, userId);
        await changes.CommitAsync(userId, ct);
        return Results.Ok();
    }

    private static async Task<IResult> Import(ImportCiphersRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var userId = principal.UserId();
        if (await PolicyEnforcement.CheckPersonalItemAsync(db, userId, ct) is { } forbidden)
        {
            return BitwardenErrors.BadRequest(forbidden);
        }

        var items = request.Ciphers ?? [];
        var folders = request.Folders ?? [];
        var relations = request.FolderRelationships ?? [];
        if (items.Count > MaxImportItems || folders.Count > MaxImportItems)
        {
            return BitwardenErrors.BadRequest($"An import may hold at most {MaxImportItems} items and folders.");
        }

        for (var i = 0; i < items.Count; i++)
        {
            var error = items[i] is null ? "it is null." : CipherValidation.Validate(items[i], userId);
            if (error is not null)
            {
                return BitwardenErrors.BadRequest($"Item {i + 1} of the import is invalid: {error}");
            }
        }

        var folderIds = new Guid[folders.Count];
        var ownFolderIds = (await db.Folders.AsNoTracking().Where(f => f.UserId == userId).Select(f => f.Id).ToListAsync(ct)).ToHashSet();
        for (var i = 0; i < folders.Count; i++)
        {
            // An id naming one of the caller's folders reuses it; anything else creates a folder (as Vaultwarden).
            if (Guid.TryParse(folders[i]?.Id, out var existing) && ownFolderIds.Contains(existing))
            {
                folderIds[i] = existing;
                continue;
            }

            if (!WireValidation.IsSymmetricEncString(folders[i]?.Name))
            {
                return BitwardenErrors.BadRequest($"Folder {i + 1} of the import has no valid EncString name.");
            }

            folderIds[i] = Guid.NewGuid();
            db.Folders.Add(new Folders.Folder { Id = folderIds[i], UserId = userId, Name = folders[i]!.Name!, CreationDate = changes.Now, RevisionDate = changes.Now });
        }

        var folderOf = new Dictionary<int, Guid>();
        foreach (var relation in relations)
        {
            if (relation is null || relation.Key < 0 || relation.Key >= items.Count || relation.Value < 0 || relation.Value >= folders.Count)
            {
                return BitwardenErrors.BadRequest("folderRelationships must pair an item index with a folder index of this import.");
            }

            folderOf[relation.Key] = folderIds[relation.Value];
        }

        for (var i = 0; i < items.Count; i++)
        {
            db.Ciphers.Add(new Cipher
            {
                Id = Guid.NewGuid(),
                UserId = userId,
                FolderId = folderOf.TryGetValue(i, out var f) ? f : null,
                Type = items[i].Type,
                Favorite = items[i].Favorite,
                Data = CipherValidation.Serialize(items[i]),
                CreationDate = changes.Now,
                RevisionDate = changes.Now,
            });
        }

        changes.Record(EventType.ItemsImported, userId, detail: $"{items.Count} items, {folders.Count} folders");
        // Upstream's import sends SyncVault to every device, the importing one included (notifications doc §8).
        changes.Notify(PushType.SyncVault, userId, excludeActingDevice: false);
        await changes.CommitAsync(userId, ct);
        return Results.Ok();
    }

    private static async Task<(List<Cipher> Ciphers, IResult? Error)> LoadOwned(IReadOnlyList<Guid>? ids, Guid userId, CofferDb db, CancellationToken ct)
    {
        if (ids is not { Count: > 0 and <= MaxBulkIds })
        {
            return ([], BitwardenErrors.BadRequest($"ids must list 1 to {MaxBulkIds} item ids.", "ids"));
        }

        var distinct = ids.Distinct().ToList();
        var ciphers = await db.Ciphers.Where(c => c.UserId == userId && distinct.Contains(c.Id)).ToListAsync(ct);
        return ciphers.Count == distinct.Count ? (ciphers, null) : ([], CipherEndpoints.CipherNotFound());
    }
}

/// <summary>Imports may be larger than ordinary requests (see <see cref="ServerOptions.MaxImportBytes"/>).</summary>
public sealed class ImportSizeLimit;
