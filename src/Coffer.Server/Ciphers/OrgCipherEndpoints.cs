using System.Security.Claims;
using Coffer.Protocol.Api;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Files;
using Coffer.Server.Identity;
using Coffer.Server.Notifications;
using Coffer.Server.Organizations;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Ciphers;

/// <summary>
/// Putting items into an organization (doc <c>bitwarden-organizations.md</c> §2.6, §6.1): creating one there, and
/// sharing ("moving") the caller's own personal items into it. The caller must be a Confirmed member, and every
/// target collection must be of that organization (else 400, advisory T9) and writable by the caller.
/// </summary>
public static class OrgCipherEndpoints
{
    private const int MaxBulkShare = 500;

    public static void MapOrganizationCiphers(this RouteGroupBuilder ciphers)
    {
        ciphers.MapPut("/{id}/share", Share).Produces<CipherDetailsResponseModel>().WithSummary("Move a personal item into an organization");
        ciphers.MapPost("/{id}/share", Share).Produces<CipherDetailsResponseModel>().WithSummary("Alias of PUT (deprecated)");
        ciphers.MapPut("/share", ShareMany).WithSummary("Move several personal items into an organization");
        ciphers.MapPost("/admin", CreateWithCollections).Produces<CipherDetailsResponseModel>().WithSummary("Admin console create (same as /create)");
    }

    internal static IResult OrganizationNotFound() => BitwardenErrors.NotFound("Organization not found.");

    /// <summary><c>POST /api/ciphers/create</c> <c>{cipher, collectionIds}</c>: an organization item into collections, or a personal item.</summary>
    internal static async Task<IResult> CreateWithCollections(CipherCreateRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, IBlobStore blobs,
        StorageQuota quota, CancellationToken ct)
    {
        if (request.Cipher is null)
        {
            return BitwardenErrors.BadRequest("cipher is required.", "cipher");
        }

        if (request.Cipher.OrganizationId is { Length: > 0 })
        {
            return await CreateInOrganizationAsync(request.Cipher, request.CollectionIds ?? [], principal, db, changes, blobs, quota, ct);
        }

        if (request.CollectionIds is { Count: > 0 })
        {
            return BitwardenErrors.BadRequest("Only organization items can be in collections.", "collectionIds");
        }

        // A personal item: the same as POST /api/ciphers.
        return await CipherEndpoints.Create(request.Cipher, principal, db, changes, blobs, quota, ct);
    }

    /// <summary>Creates an organization item (doc §6.1). Without collections only members who edit any collection may (else 400).</summary>
    internal static async Task<IResult> CreateInOrganizationAsync(CipherRequestModel request, IReadOnlyList<Guid> collectionIds, ClaimsPrincipal principal, CofferDb db, Changes changes,
        IBlobStore blobs, StorageQuota quota, CancellationToken ct)
    {
        var userId = principal.UserId();
        if (CipherValidation.Validate(request, userId) is { } error)
        {
            return BitwardenErrors.BadRequest(error);
        }

        var organizationId = Guid.Parse(request.OrganizationId!);
        var access = await VaultAccess.LoadAsync(db, userId, ct);
        if (access.Member(organizationId) is not { } member)
        {
            return OrganizationNotFound();
        }

        var collections = collectionIds.Distinct().ToList();
        if (collections.Count == 0 && !member.CanEditAnyCollection)
        {
            return BitwardenErrors.BadRequest("You must select at least one collection.", "collectionIds");
        }

        if (await CheckCollectionsAsync(db, access, organizationId, collections, f => f.CanAddItems, ct) is { } refused)
        {
            return refused;
        }

        var folder = await CipherEndpoints.ResolveFolder(request.FolderId, userId, db, ct);
        if (folder.Error is not null)
        {
            return folder.Error;
        }

        var cipher = Cipher.Create(request, changes.Now, null, organizationId, null);
        db.Ciphers.Add(cipher);
        db.CollectionCiphers.AddRange(collections.Select(c => new CollectionCipher { CollectionId = c, CipherId = cipher.Id }));
        CipherItems.SetPreference(db, null, cipher.Id, userId, folder.Id, request.Favorite);
        var item = new CipherItem(cipher, collections, access.ItemAccess(cipher, collections) ?? CollectionFlags.Full, null);
        if (await CipherAttachments.CopyAsync(db, access, blobs, quota, cipher, request.Attachments2, changes.Now, ct) is { } copyRefused)
        {
            return copyRefused;
        }

        await CipherEndpoints.CommitItemAsync(db, changes, userId, item, EventType.CipherCreated, PushType.SyncCipherCreate, ct);
        return CipherJson.Result(cipher, item.View(access) with { FolderId = folder.Id, Favorite = request.Favorite });
    }

    private static async Task<IResult> Share(Guid id, CipherShareRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, StorageQuota quota, CancellationToken ct)
    {
        if (request.Cipher is null)
        {
            return BitwardenErrors.BadRequest("cipher is required.", "cipher");
        }

        var userId = principal.UserId();
        var access = await VaultAccess.LoadAsync(db, userId, ct);
        // Only the caller's own personal item, never anyone else's (upstream PutShare, advisory GHSA-w9f8-m526-h7fh, T4).
        var cipher = await db.Ciphers.SingleOrDefaultAsync(c => c.Id == id && c.UserId == userId, ct);
        if (cipher is null)
        {
            return CipherEndpoints.CipherNotFound();
        }

        var (item, error) = await ShareOneAsync(cipher, request.Cipher, request.CollectionIds ?? [], access, db, changes, quota, ct);
        if (error is not null)
        {
            return error;
        }

        await CipherEndpoints.CommitItemAsync(db, changes, userId, item!, EventType.CipherShared, PushType.SyncCipherUpdate, ct);
        return CipherJson.Result(item!.Cipher, item.View(access) with { FolderId = item.Preference?.FolderId, Favorite = item.Preference?.Favorite ?? false });
    }

    private static async Task<IResult> ShareMany(CipherBulkShareRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, StorageQuota quota, CancellationToken ct)
    {
        var entries = request.Ciphers ?? [];
        if (entries.Count is 0 or > MaxBulkShare || entries.Any(e => e?.Id is null))
        {
            return BitwardenErrors.BadRequest($"ciphers must list 1 to {MaxBulkShare} items, each with its id.", "ciphers");
        }

        var userId = principal.UserId();
        var access = await VaultAccess.LoadAsync(db, userId, ct);
        var ids = entries.Select(e => e.Id!.Value).Distinct().ToList();
        var ciphers = await db.Ciphers.Where(c => ids.Contains(c.Id) && c.UserId == userId).ToDictionaryAsync(c => c.Id, ct);
        if (ciphers.Count != ids.Count || ids.Count != entries.Count)
        {
            return CipherEndpoints.CipherNotFound();
        }

        Guid? organizationId = null;
        foreach (var entry in entries)
        {
            var (item, error) = await ShareOneAsync(ciphers[entry.Id!.Value], entry, request.CollectionIds ?? [], access, db, changes, quota, ct);
            if (error is not null)
            {
                return error;
            }

            if (organizationId is not null && organizationId != item!.Cipher.OrganizationId)
            {
                return BitwardenErrors.BadRequest("All items must move into the same organization.", "organizationId");
            }

            organizationId = item!.Cipher.OrganizationId;
            changes.RecordOrganization(EventType.CipherShared, organizationId!.Value, userId, item.Cipher.Id);
        }

        var audience = await Audience.LoadAsync(db, organizationId!.Value, ct);
        var users = audience.ForCollections(request.CollectionIds ?? []);
        users.Add(userId);
        foreach (var user in users)
        {
            changes.Notify(PushType.SyncCiphers, user);
        }

        await changes.CommitAsync(users, ct);
        return Results.Ok();
    }

    /// <summary>Checks and applies one share (doc §2.6): the item becomes the organization's, in the given collections.</summary>
    private static async Task<(CipherItem? Item, IResult? Error)> ShareOneAsync(Cipher cipher, CipherRequestModel request, IReadOnlyList<Guid> collectionIds, VaultAccess access,
        CofferDb db, Changes changes, StorageQuota quota, CancellationToken ct)
    {
        var userId = access.UserId;
        if (CipherValidation.Validate(request, userId) is { } invalid)
        {
            return (null, BitwardenErrors.BadRequest(invalid));
        }

        if (!Guid.TryParse(request.OrganizationId, out var organizationId))
        {
            return (null, BitwardenErrors.BadRequest("organizationId is required to share an item.", "organizationId"));
        }

        if (access.Member(organizationId) is null)
        {
            return (null, OrganizationNotFound());
        }

        var collections = collectionIds.Distinct().ToList();
        if (collections.Count == 0)
        {
            return (null, BitwardenErrors.BadRequest("You must select at least one collection.", "collectionIds"));
        }

        if (await CheckCollectionsAsync(db, access, organizationId, collections, f => f.CanAddItems, ct) is { } refused)
        {
            return (null, refused);
        }

        if (request.LastKnownRevisionDate is { } known && (known.ToUniversalTime() - cipher.RevisionDate).Duration() > TimeSpan.FromSeconds(1))
        {
            return (null, BitwardenErrors.BadRequest("The client copy of this cipher is out of date. Resync the client and try again."));
        }

        if (request.Type != cipher.Type)
        {
            return (null, BitwardenErrors.BadRequest("The type of an item cannot change.", "type"));
        }

        // bw move sends no folderId: the item keeps its folder, now as the caller's own preference (P11).
        var folder = request.FolderId is { Length: > 0 } ? await CipherEndpoints.ResolveFolder(request.FolderId, userId, db, ct) : (cipher.FolderId, null);
        if (folder.Error is not null)
        {
            return (null, folder.Error);
        }

        // The item's files now count against the organization's storage; the client re-wraps their keys (§2.9).
        var stored = await db.Attachments.Where(a => a.CipherId == cipher.Id).SumAsync(a => (long?)a.Size, ct) ?? 0;
        if (stored > 0 && !await quota.FitsAsync(null, organizationId, stored, ct))
        {
            return (null, AttachmentEndpoints.NotEnoughStorage());
        }

        if (await CipherAttachments.ApplyKeysAsync(db, cipher.Id, request.Attachments2, ct) is { } badAttachments)
        {
            return (null, BitwardenErrors.BadRequest(badAttachments, "attachments2"));
        }

        var favorite = request.Favorite || cipher.Favorite;
        cipher.UserId = null;
        cipher.OrganizationId = organizationId;
        cipher.FolderId = null;
        cipher.Favorite = false;
        cipher.Data = CipherValidation.Serialize(request);
        cipher.Revise(changes.Now);
        db.CollectionCiphers.AddRange(collections.Select(c => new CollectionCipher { CollectionId = c, CipherId = cipher.Id }));
        var preference = CipherItems.SetPreference(db, null, cipher.Id, userId, folder.Id, favorite);
        return (new CipherItem(cipher, collections, access.ItemAccess(cipher, collections) ?? CollectionFlags.Full, preference), null);
    }

    /// <summary>
    /// Null when every id in <paramref name="collectionIds"/> is a collection of <paramref name="organizationId"/> on
    /// which the caller's flags pass <paramref name="allowed"/>; else a 400 (a collection of another organization in
    /// a body is a bad request, advisory T9).
    /// </summary>
    internal static async Task<IResult?> CheckCollectionsAsync(CofferDb db, VaultAccess access, Guid organizationId, IReadOnlyCollection<Guid> collectionIds,
        Func<CollectionFlags, bool> allowed, CancellationToken ct)
    {
        if (collectionIds.Count == 0)
        {
            return null;
        }

        var found = await db.Collections.CountAsync(c => collectionIds.Contains(c.Id) && c.OrganizationId == organizationId, ct);
        if (found != collectionIds.Count)
        {
            return BitwardenErrors.BadRequest("Specified CollectionId does not exist on the specified Organization.", "collectionIds");
        }

        return collectionIds.All(id => access.CollectionAccess(organizationId, id) is { } flags && allowed(flags))
            ? null
            : BitwardenErrors.BadRequest("You do not have permission to add items to this collection.", "collectionIds");
    }
}
