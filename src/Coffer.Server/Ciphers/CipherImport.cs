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
/// Imports (protocol §4.14): into the caller's own vault with its folders, or into an organization with its
/// collections (doc <c>bitwarden-organizations.md</c> §0.1 row 42). Each is one transaction: every item valid and
/// every relationship in range, or nothing changes.
/// </summary>
public static class CipherImport
{
    private const int MaxImportItems = 20_000;

    public static void MapCipherImport(this RouteGroupBuilder ciphers)
    {
        ciphers.MapPost("/import", Import)
            .WithMetadata(new ImportSizeLimit())
            .WithSummary("Import items and folders in one transaction");
        ciphers.MapPost("/import-organization", ImportOrganization)
            .WithMetadata(new ImportSizeLimit())
            .WithSummary("Import items and collections into an organization in one transaction");
    }

    private static async Task<IResult> Import(ImportCiphersRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var userId = principal.UserId();
        var items = request.Ciphers ?? [];
        var folders = request.Folders ?? [];
        if (Validate(items, folders.Count, userId, personal: true) is { } invalid)
        {
            return invalid;
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

        if (Relations(request.FolderRelationships, items.Count, folderIds) is not { } folderOf)
        {
            return BitwardenErrors.BadRequest("folderRelationships must pair an item index with a folder index of this import.");
        }

        for (var i = 0; i < items.Count; i++)
        {
            Guid? folder = folderOf[i].Any() ? folderOf[i].Last() : null;
            db.Ciphers.Add(NewCipher(items[i], changes.Now, userId, null, folder));
        }

        changes.Record(EventType.ItemsImported, userId, detail: $"{items.Count} items, {folders.Count} folders");
        // Upstream's import sends SyncVault to every device, the importing one included (notifications doc §8).
        changes.Notify(PushType.SyncVault, userId, excludeActingDevice: false);
        await changes.CommitAsync(userId, ct);
        return Results.Ok();
    }

    /// <summary>
    /// Admins, Owners and Custom members with import/export rights, Confirmed (advisories GHSA-f3qw-qg77-hmm4 and
    /// GHSA-jq2g-h4xr-4mcr, T10). Every collection lands in the organization of the URL: an id of another
    /// organization's collection creates a new one here instead of touching that one.
    /// </summary>
    private static async Task<IResult> ImportOrganization(Guid? organizationId, ImportOrganizationCiphersRequestModel request, ClaimsPrincipal principal, CofferDb db,
        Changes changes, CancellationToken ct)
    {
        var userId = principal.UserId();
        var access = await VaultAccess.LoadAsync(db, userId, ct);
        if (organizationId is not { } orgId || access.Member(orgId) is not { } member)
        {
            return OrgCipherEndpoints.OrganizationNotFound();
        }

        if (!member.CanAccessImportExport)
        {
            return BitwardenErrors.BadRequest("You do not have permission to import into this organization.");
        }

        var items = request.Ciphers ?? [];
        var collections = request.Collections ?? [];
        if (Validate(items, collections.Count, userId, personal: false) is { } invalid)
        {
            return invalid;
        }

        var existing = (await db.Collections.AsNoTracking().Where(c => c.OrganizationId == orgId).Select(c => c.Id).ToListAsync(ct)).ToHashSet();
        var collectionIds = new Guid[collections.Count];
        for (var i = 0; i < collections.Count; i++)
        {
            if (Guid.TryParse(collections[i]?.Id, out var id) && existing.Contains(id))
            {
                collectionIds[i] = id;
                continue;
            }

            if (!WireValidation.IsSymmetricEncString(collections[i]?.Name) || collections[i]!.Name!.Length > 1000 || collections[i]!.ExternalId is { Length: > 300 })
            {
                return BitwardenErrors.BadRequest($"Collection {i + 1} of the import has no valid EncString name.");
            }

            collectionIds[i] = Guid.NewGuid();
            db.Collections.Add(new Collection
            {
                Id = collectionIds[i],
                OrganizationId = orgId,
                Name = collections[i]!.Name!,
                ExternalId = collections[i]!.ExternalId,
                CreationDate = changes.Now,
                RevisionDate = changes.Now,
            });
            changes.RecordOrganization(EventType.CollectionCreated, orgId, userId, collectionId: collectionIds[i]);
        }

        if (Relations(request.CollectionRelationships, items.Count, collectionIds) is not { } collectionsOf)
        {
            return BitwardenErrors.BadRequest("collectionRelationships must pair an item index with a collection index of this import.");
        }

        for (var i = 0; i < items.Count; i++)
        {
            var cipher = NewCipher(items[i], changes.Now, null, orgId, null);
            db.Ciphers.Add(cipher);
            db.CollectionCiphers.AddRange(collectionsOf[i].Distinct().Select(c => new CollectionCipher { CollectionId = c, CipherId = cipher.Id }));
        }

        changes.RecordOrganization(EventType.OrganizationItemsImported, orgId, userId, detail: $"{items.Count} items, {collections.Count} collections");
        var audience = await Audience.LoadAsync(db, orgId, ct);
        var users = new HashSet<Guid>(audience.Everyone) { userId };
        foreach (var user in users)
        {
            changes.Notify(PushType.SyncVault, user, excludeActingDevice: false);
        }

        await changes.CommitAsync(users, ct);
        return Results.Ok();
    }

    private static IResult? Validate(IReadOnlyList<CipherRequestModel> items, int containers, Guid userId, bool personal)
    {
        if (items.Count > MaxImportItems || containers > MaxImportItems)
        {
            return BitwardenErrors.BadRequest($"An import may hold at most {MaxImportItems} items and {(personal ? "folders" : "collections")}.");
        }

        for (var i = 0; i < items.Count; i++)
        {
            var error = items[i] is null ? "it is null." : CipherValidation.Validate(items[i], userId);
            // The organization of an organization import is the URL's; a personal import has none.
            error ??= personal && items[i].OrganizationId is { Length: > 0 } ? "a personal import cannot hold organization items." : null;
            if (error is not null)
            {
                return BitwardenErrors.BadRequest($"Item {i + 1} of the import is invalid: {error}");
            }
        }

        return null;
    }

    /// <summary>The containers of each item index from <c>{key: item index, value: container index}</c> pairs, or null when one is out of range.</summary>
    private static ILookup<int, Guid>? Relations(IReadOnlyList<ImportRelationshipModel>? relations, int itemCount, Guid[] containers)
    {
        var pairs = new List<(int Item, Guid Container)>();
        foreach (var relation in relations ?? [])
        {
            if (relation is null || relation.Key < 0 || relation.Key >= itemCount || relation.Value < 0 || relation.Value >= containers.Length)
            {
                return null;
            }

            pairs.Add((relation.Key, containers[relation.Value]));
        }

        return pairs.ToLookup(p => p.Item, p => p.Container);
    }

    private static Cipher NewCipher(CipherRequestModel item, DateTime now, Guid? userId, Guid? organizationId, Guid? folderId) => new()
    {
        Id = Guid.NewGuid(),
        UserId = userId,
        OrganizationId = organizationId,
        FolderId = folderId,
        Type = item.Type,
        Favorite = userId is not null && item.Favorite,
        Data = CipherValidation.Serialize(item),
        CreationDate = now,
        RevisionDate = now,
    };
}
