using System.Security.Claims;
using Coffer.Protocol.Api;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Identity;
using Coffer.Server.Notifications;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Organizations;

/// <summary>
/// Collections (doc <c>bitwarden-organizations.md</c> §5). The caller is resolved through <see cref="VaultAccess"/>: not a
/// Confirmed member of the URL's organization, or a collection id of another organization, is 404 (advisory T2); a
/// visible collection the caller may not change is 400. Editing a collection needs manage on it or edit-any
/// (advisories T5, T6); deleting needs delete-any (Coffer's organizations set <c>limitCollectionDeletion</c>); a member
/// without edit-any may not change their own access row (doc §9.4). Member and group ids in a body must be of this
/// organization (400, T8), and a null <c>users</c>/<c>groups</c> leaves that list as it is (P16).
/// </summary>
public static class CollectionEndpoints
{
    private const int MaxNameLength = 1000;
    private const int MaxExternalIdLength = 300;

    public static void MapCollections(this IEndpointRouteBuilder api)
    {
        api.MapGet("/collections", Assigned).WithTags("Collections").Produces<ListResponseModel<CollectionResponseModel>>()
            .WithSummary("The caller's assigned collections with their own flags");
        var collections = api.MapGroup("/organizations/{orgId:guid}/collections").WithTags("Collections");
        collections.MapGet("", ListAll).Produces<ListResponseModel<CollectionResponseModel>>();
        collections.MapGet("/details", ListDetails).Produces<ListResponseModel<CollectionResponseModel>>();
        collections.MapGet("/{id:guid}/details", GetDetails).Produces<CollectionResponseModel>();
        collections.MapGet("/{id:guid}/users", Users).Produces<IReadOnlyList<SelectionReadOnlyResponseModel>>().WithSummary("Legacy: the collection's member rows");
        collections.MapPost("", Create).Produces<CollectionResponseModel>();
        collections.MapPut("/{id:guid}", Update).Produces<CollectionResponseModel>();
        collections.MapPost("/{id:guid}", Update).Produces<CollectionResponseModel>().WithSummary("Alias of PUT");
        collections.MapDelete("/{id:guid}", Delete);
        collections.MapPost("/{id:guid}/delete", Delete).WithSummary("Alias of DELETE");
        collections.MapDelete("", DeleteMany).WithSummary("Delete several collections");
        collections.MapPost("/bulk-access", BulkAccess).WithSummary("Add or update access rows on several collections");
    }

    private static IResult CollectionNotFound() => BitwardenErrors.NotFound("Collection not found.");

    private static IResult OrganizationNotFound() => BitwardenErrors.NotFound("Organization not found.");

    private static async Task<IResult> Assigned(ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        var access = await VaultAccess.LoadAsync(db, principal.UserId(), ct);
        var ids = access.Collections.Keys.ToList();
        var collections = await db.Collections.AsNoTracking().Where(c => ids.Contains(c.Id)).OrderBy(c => c.Id).ToListAsync(ct);
        return ListResult(collections.Select(c => Details(c, access.CollectionAccess(c.OrganizationId, c.Id)!.Value)));
    }

    private static async Task<IResult> ListAll(Guid orgId, ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        var (access, member) = await LoadAsync(db, principal, orgId, ct);
        if (member is null)
        {
            return OrganizationNotFound();
        }

        var collections = await VisibleAsync(db, access, member, ct);
        return ListResult(collections.Select(c => Plain(c) with { Object = "collection" }));
    }

    private static async Task<IResult> ListDetails(Guid orgId, ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        var (access, member) = await LoadAsync(db, principal, orgId, ct);
        if (member is null)
        {
            return OrganizationNotFound();
        }

        var collections = await VisibleAsync(db, access, member, ct);
        var ids = collections.Select(c => c.Id).ToList();
        var (users, groups) = await RowsAsync(db, ids, ct);
        return ListResult(collections.Select(c => AccessDetails(c, access, users[c.Id], groups[c.Id])));
    }

    private static async Task<IResult> GetDetails(Guid orgId, Guid id, ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        var (access, collection) = await FindVisibleAsync(db, principal, orgId, id, ct);
        if (collection is null)
        {
            return CollectionNotFound();
        }

        var (users, groups) = await RowsAsync(db, [id], ct);
        return Results.Json(AccessDetails(collection, access, users[id], groups[id]), CofferJson.Options);
    }

    private static async Task<IResult> Users(Guid orgId, Guid id, ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        var (_, collection) = await FindVisibleAsync(db, principal, orgId, id, ct);
        if (collection is null)
        {
            return CollectionNotFound();
        }

        var (users, _) = await RowsAsync(db, [id], ct);
        return Results.Json(users[id].ToList(), CofferJson.Options);
    }

    private static async Task<IResult> Create(Guid orgId, CollectionRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var (access, member) = await LoadAsync(db, principal, orgId, ct);
        if (member is null)
        {
            return OrganizationNotFound();
        }

        if (!member.CanCreateCollections)
        {
            return BitwardenErrors.BadRequest("You do not have permission to create collections.");
        }

        if (ValidateName(request) is { } invalid)
        {
            return invalid;
        }

        var collection = new Collection
        {
            Id = Guid.NewGuid(),
            OrganizationId = orgId,
            Name = request.Name!,
            ExternalId = request.ExternalId,
            CreationDate = changes.Now,
            RevisionDate = changes.Now,
        };
        db.Collections.Add(collection);
        // The creator may grant themselves manage on what they create, as bw create org-collection does (doc §5.1).
        var refused = await CollectionAccessRules.ApplyAsync(db, member, collection.Id, request.Users ?? [], request.Groups ?? [], replace: true, creating: true, ct);
        if (refused is not null)
        {
            return refused;
        }

        changes.RecordOrganization(EventType.CollectionCreated, orgId, principal.UserId(), collectionId: collection.Id);
        await CommitAsync(db, changes, orgId, collection.Id, request.Users, request.Groups, ct);
        return await AccessDetailsResultAsync(db, principal, collection, ct);
    }

    private static async Task<IResult> Update(Guid orgId, Guid id, CollectionRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var (access, member) = await LoadAsync(db, principal, orgId, ct);
        var collection = member is null ? null : await db.Collections.SingleOrDefaultAsync(c => c.Id == id && c.OrganizationId == orgId, ct);
        if (collection is null || !CanSee(access, member!, collection))
        {
            return CollectionNotFound();
        }

        if (!CanManage(access, member!, id))
        {
            return BitwardenErrors.BadRequest("You do not have permission to edit this collection.");
        }

        if (ValidateName(request) is { } invalid)
        {
            return invalid;
        }

        collection.Name = request.Name!;
        collection.ExternalId = request.ExternalId;
        collection.RevisionDate = changes.Now;
        // null leaves that list as it is (upstream UpdateCollectionCommand, pitfall P16).
        if (await CollectionAccessRules.ApplyAsync(db, member!, id, request.Users, request.Groups, replace: true, creating: false, ct) is { } refused)
        {
            return refused;
        }

        changes.RecordOrganization(EventType.CollectionUpdated, orgId, principal.UserId(), collectionId: id);
        await CommitAsync(db, changes, orgId, id, request.Users, request.Groups, ct);
        return await AccessDetailsResultAsync(db, principal, collection, ct);
    }

    private static async Task<IResult> Delete(Guid orgId, Guid id, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct) =>
        await DeleteAsync(orgId, [id], principal, db, changes, ct);

    private static async Task<IResult> DeleteMany(Guid orgId, [Microsoft.AspNetCore.Mvc.FromBody] CollectionBulkDeleteRequestModel request, ClaimsPrincipal principal, CofferDb db,
        Changes changes, CancellationToken ct) =>
        request.Ids is { Count: > 0 and <= 1000 } ids
            ? await DeleteAsync(orgId, [.. ids.Distinct()], principal, db, changes, ct)
            : BitwardenErrors.BadRequest("ids must list 1 to 1000 collection ids.", "ids");

    private static async Task<IResult> DeleteAsync(Guid orgId, IReadOnlyList<Guid> ids, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var (access, member) = await LoadAsync(db, principal, orgId, ct);
        if (member is null)
        {
            return OrganizationNotFound();
        }

        var collections = await db.Collections.Where(c => ids.Contains(c.Id) && c.OrganizationId == orgId).ToListAsync(ct);
        if (collections.Count != ids.Count || collections.Any(c => !CanSee(access, member, c)))
        {
            return CollectionNotFound();
        }

        if (!member.CanDeleteAnyCollection)
        {
            return BitwardenErrors.BadRequest("You do not have permission to delete this collection.");
        }

        // Its items stay in the organization, unassigned (doc §5.2); their viewers lose them, so they resync.
        var audience = await Audience.LoadAsync(db, orgId, ct);
        var users = audience.ForCollections(ids);
        db.Collections.RemoveRange(collections);
        foreach (var collection in collections)
        {
            changes.RecordOrganization(EventType.CollectionDeleted, orgId, principal.UserId(), collectionId: collection.Id);
        }

        await NotifyAsync(changes, users, ct);
        return Results.Ok();
    }

    private static async Task<IResult> BulkAccess(Guid orgId, BulkCollectionAccessRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var (access, member) = await LoadAsync(db, principal, orgId, ct);
        if (member is null)
        {
            return OrganizationNotFound();
        }

        var ids = (request.CollectionIds ?? []).Distinct().ToList();
        if (ids.Count is 0 or > 1000)
        {
            return BitwardenErrors.BadRequest("collectionIds must list 1 to 1000 collection ids.", "collectionIds");
        }

        var collections = await db.Collections.Where(c => ids.Contains(c.Id) && c.OrganizationId == orgId).ToListAsync(ct);
        if (collections.Count != ids.Count || collections.Any(c => !CanSee(access, member, c)))
        {
            return CollectionNotFound();
        }

        if (ids.Any(id => !CanManage(access, member, id)))
        {
            return BitwardenErrors.BadRequest("You do not have permission to edit this collection.");
        }

        var audience = await Audience.LoadAsync(db, orgId, ct);
        var users = audience.ForCollections(ids);
        foreach (var collection in collections)
        {
            if (await CollectionAccessRules.ApplyAsync(db, member, collection.Id, request.Users ?? [], request.Groups ?? [], replace: false, creating: false, ct) is { } refused)
            {
                return refused;
            }

            collection.RevisionDate = changes.Now;
            changes.RecordOrganization(EventType.CollectionUpdated, orgId, principal.UserId(), collectionId: collection.Id);
        }

        users.UnionWith(audience.UsersOf(Ids(request.Users), Ids(request.Groups)));
        await NotifyAsync(changes, users, ct);
        return Results.Ok();
    }

    /// <summary>Commits a create or update: everyone who saw the collection before, or sees it through the new rows, resyncs.</summary>
    private static async Task CommitAsync(CofferDb db, Changes changes, Guid orgId, Guid collectionId, IReadOnlyList<SelectionReadOnlyRequestModel>? users,
        IReadOnlyList<SelectionReadOnlyRequestModel>? groups, CancellationToken ct)
    {
        var audience = await Audience.LoadAsync(db, orgId, ct);
        var affected = audience.ForCollections([collectionId]);
        affected.UnionWith(audience.UsersOf(Ids(users), Ids(groups)));
        await NotifyAsync(changes, affected, ct);
    }

    private static async Task NotifyAsync(Changes changes, HashSet<Guid> users, CancellationToken ct)
    {
        // Bumped first, then told: a non-forced sync fetches only when the revision date moved (notifications doc §10.1).
        foreach (var user in users)
        {
            changes.Notify(PushType.SyncVault, user, excludeActingDevice: false);
        }

        await changes.CommitAsync(users, ct);
    }

    private static IEnumerable<Guid> Ids(IReadOnlyList<SelectionReadOnlyRequestModel>? rows) => (rows ?? []).Where(r => r.Id is not null).Select(r => r.Id!.Value);

    private static async Task<(VaultAccess Access, MemberAccess? Member)> LoadAsync(CofferDb db, ClaimsPrincipal principal, Guid orgId, CancellationToken ct)
    {
        var access = await VaultAccess.LoadAsync(db, principal.UserId(), ct);
        return (access, access.Member(orgId));
    }

    private static async Task<(VaultAccess Access, Collection? Collection)> FindVisibleAsync(CofferDb db, ClaimsPrincipal principal, Guid orgId, Guid id, CancellationToken ct)
    {
        var (access, member) = await LoadAsync(db, principal, orgId, ct);
        if (member is null)
        {
            return (access, null);
        }

        var collection = await db.Collections.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id && c.OrganizationId == orgId, ct);
        return (access, collection is not null && CanSee(access, member, collection) ? collection : null);
    }

    private static bool CanSee(VaultAccess access, MemberAccess member, Collection collection) =>
        member.CanViewAllCollections || access.Collections.ContainsKey(collection.Id);

    private static bool CanManage(VaultAccess access, MemberAccess member, Guid collectionId) =>
        member.CanEditAnyCollection || access.CollectionAccess(member.OrganizationId, collectionId) is { Manage: true };

    private static async Task<List<Collection>> VisibleAsync(CofferDb db, VaultAccess access, MemberAccess member, CancellationToken ct)
    {
        var orgId = member.OrganizationId;
        var assigned = access.Collections.Where(c => c.Value.OrganizationId == orgId).Select(c => c.Key).ToList();
        var all = member.CanViewAllCollections;
        return await db.Collections.AsNoTracking().Where(c => c.OrganizationId == orgId && (all || assigned.Contains(c.Id))).OrderBy(c => c.Id).ToListAsync(ct);
    }

    private static async Task<(ILookup<Guid, SelectionReadOnlyResponseModel> Users, ILookup<Guid, SelectionReadOnlyResponseModel> Groups)> RowsAsync(CofferDb db, List<Guid> ids, CancellationToken ct)
    {
        var users = await db.CollectionMembers.AsNoTracking().Where(a => ids.Contains(a.CollectionId)).OrderBy(a => a.MembershipId).ToListAsync(ct);
        var groups = await db.CollectionGroups.AsNoTracking().Where(a => ids.Contains(a.CollectionId)).OrderBy(a => a.GroupId).ToListAsync(ct);
        return (
            users.ToLookup(a => a.CollectionId, a => new SelectionReadOnlyResponseModel { Id = a.MembershipId, ReadOnly = a.ReadOnly, HidePasswords = a.HidePasswords, Manage = a.Manage }),
            groups.ToLookup(a => a.CollectionId, a => new SelectionReadOnlyResponseModel { Id = a.GroupId, ReadOnly = a.ReadOnly, HidePasswords = a.HidePasswords, Manage = a.Manage }));
    }

    private static async Task<IResult> AccessDetailsResultAsync(CofferDb db, ClaimsPrincipal principal, Collection collection, CancellationToken ct)
    {
        var access = await VaultAccess.LoadAsync(db, principal.UserId(), ct);
        var (users, groups) = await RowsAsync(db, [collection.Id], ct);
        return Results.Json(AccessDetails(collection, access, users[collection.Id], groups[collection.Id]), CofferJson.Options);
    }

    private static IResult? ValidateName(CollectionRequestModel request) =>
        !WireValidation.IsSymmetricEncString(request.Name) || request.Name!.Length > MaxNameLength
            ? BitwardenErrors.BadRequest($"name must be an EncString of at most {MaxNameLength} characters.", "name")
            : request.ExternalId is { Length: > MaxExternalIdLength }
                ? BitwardenErrors.BadRequest($"externalId exceeds {MaxExternalIdLength} characters.", "externalId")
                : null;

    private static IResult ListResult(IEnumerable<CollectionResponseModel> collections) =>
        Results.Json(new ListResponseModel<CollectionResponseModel> { Data = [.. collections] }, CofferJson.Options);

    private static CollectionResponseModel Plain(Collection collection) => new()
    {
        Id = collection.Id,
        OrganizationId = collection.OrganizationId,
        Name = collection.Name,
        ExternalId = collection.ExternalId,
    };

    /// <summary>A <c>collectionDetails</c> entry (sync and <c>GET /api/collections</c>) with the caller's own flags.</summary>
    public static CollectionResponseModel Details(Collection collection, CollectionFlags flags)
    {
        ArgumentNullException.ThrowIfNull(collection);
        return Plain(collection) with
        {
            ReadOnly = flags.ReadOnly,
            HidePasswords = flags.HidePasswords,
            Manage = flags.Manage,
            Object = "collectionDetails",
        };
    }

    private static CollectionResponseModel AccessDetails(Collection collection, VaultAccess access, IEnumerable<SelectionReadOnlyResponseModel> users,
        IEnumerable<SelectionReadOnlyResponseModel> groups)
    {
        var userRows = users.ToList();
        var groupRows = groups.ToList();
        var flags = access.CollectionAccess(collection.OrganizationId, collection.Id) ?? new CollectionFlags(true, false, false);
        return Details(collection, flags) with
        {
            Assigned = access.Collections.ContainsKey(collection.Id),
            Unmanaged = !userRows.Any(u => u.Manage) && !groupRows.Any(g => g.Manage),
            Users = userRows,
            Groups = groupRows,
            Object = "collectionAccessDetails",
        };
    }
}
