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
/// Changing an organization item's collections (doc <c>bitwarden-organizations.md</c> §6.2, §9.3): the caller must see
/// passwords of the item, and every collection added or removed must be of the item's organization and one the caller
/// may assign items to (writable with passwords visible, or manage). Collections the caller cannot see are kept.
/// </summary>
public static class CipherCollectionsEndpoints
{
    private const int MaxBulk = 5000;

    public static void MapCipherCollections(this RouteGroupBuilder ciphers)
    {
        ciphers.MapPut("/{id}/collections_v2", CollectionsV2).WithSummary("Change an item's collections; answers optionalCipherDetails");
        ciphers.MapPut("/{id}/collections", CollectionsV1).Produces<CipherDetailsResponseModel>().WithSummary("Legacy: answers the bare cipher");
        ciphers.MapPost("/{id}/collections", CollectionsV1).Produces<CipherDetailsResponseModel>().WithSummary("Alias of PUT");
        ciphers.MapPut("/{id}/collections-admin", CollectionsAdmin).WithSummary("Admin console: change an item's collections");
        ciphers.MapPost("/{id}/collections-admin", CollectionsAdmin).WithSummary("Alias of PUT");
        ciphers.MapPost("/bulk-collections", BulkCollections).WithSummary("Admin console: add or remove collections of several items");
    }

    private static async Task<IResult> CollectionsV2(Guid id, CipherCollectionsRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var (item, view, error) = await ChangeAsync(id, request, principal, db, changes, admin: false, ct);
        return error ?? CipherJson.OptionalResult(item!.Cipher, view);
    }

    private static async Task<IResult> CollectionsV1(Guid id, CipherCollectionsRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var (item, view, error) = await ChangeAsync(id, request, principal, db, changes, admin: false, ct);
        return error ?? (view is { } v ? CipherJson.Result(item!.Cipher, v) : Results.Ok());
    }

    private static async Task<IResult> CollectionsAdmin(Guid id, CipherCollectionsRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var (_, _, error) = await ChangeAsync(id, request, principal, db, changes, admin: true, ct);
        return error ?? Results.Ok();
    }

    private static async Task<(CipherItem? Item, CallerView? View, IResult? Error)> ChangeAsync(Guid id, CipherCollectionsRequestModel request, ClaimsPrincipal principal,
        CofferDb db, Changes changes, bool admin, CancellationToken ct)
    {
        var userId = principal.UserId();
        var access = await VaultAccess.LoadAsync(db, userId, ct);
        var item = admin ? await CipherAdminEndpoints.FindAsAdminAsync(db, access, id, ct) : await CipherItems.FindAsync(db, access, id, ct);
        if (item is null)
        {
            return (null, null, CipherEndpoints.CipherNotFound());
        }

        if (item.Cipher.OrganizationId is not { } organizationId)
        {
            return (null, null, BitwardenErrors.BadRequest("Only organization items can be in collections.", "collectionIds"));
        }

        // A hide-passwords member must not re-file an item where they would see its password (doc §9.3).
        if (!item.Flags.CanViewPassword)
        {
            return (null, null, CipherEndpoints.NoEditPermission());
        }

        var requested = (request.CollectionIds ?? []).Distinct().ToList();
        if (await OrgCipherEndpoints.CheckCollectionsAsync(db, access, organizationId, requested, _ => true, ct) is { } unknown)
        {
            return (null, null, unknown);
        }

        var current = item.CollectionIds;
        var seen = current.Where(c => access.CollectionAccess(organizationId, c) is not null).ToList();
        var changed = requested.Except(seen).Concat(seen.Except(requested)).ToList();
        if (changed.Any(c => access.CollectionAccess(organizationId, c) is not { CanAssignItems: true }))
        {
            return (null, null, BitwardenErrors.BadRequest("You do not have permission to change the collections of this item.", "collectionIds"));
        }

        IReadOnlyList<Guid> after = [.. requested.Concat(current.Except(seen))];
        await ReplaceLinksAsync(db, item.Cipher.Id, current, after, ct);
        item.Cipher.Revise(changes.Now);
        var flags = access.ItemAccess(item.Cipher, after);
        var updated = item with { CollectionIds = after, Flags = flags ?? item.Flags };
        await CipherEndpoints.CommitItemAsync(db, changes, userId, updated, EventType.CipherUpdatedCollections, PushType.SyncCipherUpdate, ct, previousCollections: current);
        // The caller removed their own last path to the item: the client then drops it (doc §6.2).
        return (updated, flags is null ? null : updated.View(access), null);
    }

    private static async Task ReplaceLinksAsync(CofferDb db, Guid cipherId, IReadOnlyList<Guid> before, IReadOnlyList<Guid> after, CancellationToken ct)
    {
        var removed = before.Except(after).ToList();
        if (removed.Count > 0)
        {
            var rows = await db.CollectionCiphers.Where(l => l.CipherId == cipherId && removed.Contains(l.CollectionId)).ToListAsync(ct);
            db.CollectionCiphers.RemoveRange(rows);
        }

        db.CollectionCiphers.AddRange(after.Except(before).Select(c => new CollectionCipher { CollectionId = c, CipherId = cipherId }));
    }

    private static async Task<IResult> BulkCollections(CipherBulkUpdateCollectionsRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var cipherIds = (request.CipherIds ?? []).Distinct().ToList();
        var collectionIds = (request.CollectionIds ?? []).Distinct().ToList();
        if (cipherIds.Count is 0 or > MaxBulk || collectionIds.Count is 0 or > MaxBulk)
        {
            return BitwardenErrors.BadRequest($"cipherIds and collectionIds must each list 1 to {MaxBulk} ids.");
        }

        var userId = principal.UserId();
        var access = await VaultAccess.LoadAsync(db, userId, ct);
        var organizationId = request.OrganizationId;
        if (access.Member(organizationId) is null)
        {
            return OrgCipherEndpoints.OrganizationNotFound();
        }

        var items = (await CipherItems.FindManyAsync(db, access, cipherIds, ct)).Where(i => i.Cipher.OrganizationId == organizationId).ToList();
        if (items.Count != cipherIds.Count)
        {
            return CipherEndpoints.CipherNotFound();
        }

        if (items.Any(i => !i.Flags.CanEdit || !i.Flags.CanViewPassword))
        {
            return CipherEndpoints.NoEditPermission();
        }

        if (await OrgCipherEndpoints.CheckCollectionsAsync(db, access, organizationId, collectionIds, f => f.CanAssignItems, ct) is { } refused)
        {
            return refused;
        }

        foreach (var item in items)
        {
            var after = request.RemoveCollections ? [.. item.CollectionIds.Except(collectionIds)] : item.CollectionIds.Union(collectionIds).ToList();
            await ReplaceLinksAsync(db, item.Cipher.Id, item.CollectionIds, after, ct);
            item.Cipher.Revise(changes.Now);
            changes.RecordOrganization(EventType.CipherUpdatedCollections, organizationId, userId, item.Cipher.Id);
        }

        var audience = await Audience.LoadAsync(db, organizationId, ct);
        var users = audience.ForCollections(items.SelectMany(i => i.CollectionIds).Concat(collectionIds));
        users.Add(userId);
        foreach (var user in users)
        {
            changes.Notify(PushType.SyncCiphers, user);
        }

        await changes.CommitAsync(users, ct);
        return Results.Ok();
    }
}
