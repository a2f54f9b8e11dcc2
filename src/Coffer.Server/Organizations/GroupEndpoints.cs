using System.Security.Claims;
using Coffer.Protocol.Api;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Identity;
using Coffer.Server.Notifications;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Organizations;

/// <summary>
/// <c>/api/organizations/{orgId}/groups…</c> (<c>bitwarden-organizations.md</c> §0.1 row 41, §1.5; upstream
/// <c>GroupsController</c>, Vaultwarden's group routes). A group bundles members and has its own collection access;
/// <see cref="VaultAccess"/> counts it like direct access. Every Confirmed member may list groups (the web vault's
/// collection dialogs show them); changing them takes Owner, Admin or Custom <c>manageGroups</c> (doc §9.5), and
/// granting a group access to a collection takes the right to manage that collection, so nobody hands a group more
/// than they hold. Every group, member and collection id is looked up with the route's organization (T1, T8): an id
/// of another organization is "not found" for the group itself and "invalid" in a body.
/// </summary>
public static class GroupEndpoints
{
    private const int MaxNameLength = 100;
    private const int MaxExternalIdLength = 300;

    public const string InvalidMember = "Invalid member";
    public const string InvalidCollection = "Invalid collection";

    public static void MapGroups(this IEndpointRouteBuilder api)
    {
        var groups = api.MapGroup("/organizations/{orgId:guid}/groups").WithTags("Groups");
        groups.MapGet("", List).Produces<ListResponseModel<GroupResponseModel>>().WithSummary("Groups with their collection access (any Confirmed member)");
        groups.MapGet("/details", List).Produces<ListResponseModel<GroupResponseModel>>().WithSummary("Same as GET …/groups");
        groups.MapGet("/{id:guid}", Get).Produces<GroupResponseModel>();
        groups.MapGet("/{id:guid}/details", Get).Produces<GroupResponseModel>();
        groups.MapGet("/{id:guid}/users", Users).Produces<List<Guid>>().WithSummary("The group's member ids (manageGroups or manageUsers)");
        groups.MapPost("", Create).Produces<GroupResponseModel>().WithSummary("{name, externalId, collections, users}");
        groups.MapPut("/{id:guid}", Update).Produces<GroupResponseModel>().WithSummary("A null collections or users list leaves it unchanged");
        groups.MapPost("/{id:guid}", Update).Produces<GroupResponseModel>().WithSummary("Alias of PUT");
        groups.MapDelete("/{id:guid}", Delete);
        groups.MapPost("/{id:guid}/delete", Delete).WithSummary("Alias of DELETE");
        groups.MapDelete("", DeleteMany).WithSummary("Bulk delete {ids}: all or nothing");
        groups.MapPost("/delete", DeleteMany).WithSummary("Alias of bulk DELETE");
        groups.MapPut("/{id:guid}/users", PutUsers).WithSummary("Replace the group's members with the posted member ids");
        groups.MapDelete("/{id:guid}/user/{memberId:guid}", RemoveUser);
        groups.MapPost("/{id:guid}/delete-user/{memberId:guid}", RemoveUser).WithSummary("Alias of DELETE …/user/{memberId}");
    }

    private static IResult GroupNotFound() => BitwardenErrors.NotFound("Group not found.");

    private static async Task<IResult> List(Guid orgId, ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        if (await MemberAccess.LoadAsync(db, principal.UserId(), orgId, ct) is null)
        {
            return OrganizationEndpoints.OrganizationNotFound();
        }

        var groups = await db.Groups.AsNoTracking().Where(g => g.OrganizationId == orgId).OrderBy(g => g.Name).ThenBy(g => g.Id).ToListAsync(ct);
        return Results.Json(new ListResponseModel<GroupResponseModel> { Data = await ResponsesAsync(db, groups, ct) }, CofferJson.Options);
    }

    private static async Task<IResult> Get(Guid orgId, Guid id, ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        if (await MemberAccess.LoadAsync(db, principal.UserId(), orgId, ct) is null)
        {
            return OrganizationEndpoints.OrganizationNotFound();
        }

        var group = await db.Groups.AsNoTracking().SingleOrDefaultAsync(g => g.Id == id && g.OrganizationId == orgId, ct);
        return group is null ? GroupNotFound() : Results.Json((await ResponsesAsync(db, [group], ct))[0], CofferJson.Options);
    }

    private static async Task<IResult> Users(Guid orgId, Guid id, ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        if (await MemberAccess.LoadAsync(db, principal.UserId(), orgId, ct) is not { } member)
        {
            return OrganizationEndpoints.OrganizationNotFound();
        }

        if (!member.CanManageGroups && !member.CanManageUsers)
        {
            return BitwardenErrors.BadRequest("You do not have permission to manage groups.");
        }

        if (!await db.Groups.AnyAsync(g => g.Id == id && g.OrganizationId == orgId, ct))
        {
            return GroupNotFound();
        }

        var members = await db.GroupMembers.AsNoTracking().Where(m => m.GroupId == id).OrderBy(m => m.MembershipId).Select(m => m.MembershipId).ToListAsync(ct);
        return Results.Json(members, CofferJson.Options);
    }

    private static async Task<IResult> Create(Guid orgId, GroupRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        if (await ManagerAsync(db, principal, orgId, ct) is not { } member)
        {
            return OrganizationEndpoints.OrganizationNotFound();
        }

        var group = new Group { Id = Guid.NewGuid(), OrganizationId = orgId, Name = "", CreationDate = changes.Now };
        return await SaveAsync(db, changes, member, group, request, created: true, ct);
    }

    private static async Task<IResult> Update(Guid orgId, Guid id, GroupRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        if (await ManagerAsync(db, principal, orgId, ct) is not { } member)
        {
            return OrganizationEndpoints.OrganizationNotFound();
        }

        var group = await db.Groups.SingleOrDefaultAsync(g => g.Id == id && g.OrganizationId == orgId, ct);
        return group is null ? GroupNotFound() : await SaveAsync(db, changes, member, group, request, created: false, ct);
    }

    private static async Task<IResult> PutUsers(Guid orgId, Guid id, [FromBody] List<Guid>? memberIds, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        if (await ManagerAsync(db, principal, orgId, ct) is not { } member)
        {
            return OrganizationEndpoints.OrganizationNotFound();
        }

        var group = await db.Groups.SingleOrDefaultAsync(g => g.Id == id && g.OrganizationId == orgId, ct);
        if (group is null)
        {
            return GroupNotFound();
        }

        var result = await SaveAsync(db, changes, member, group, new GroupRequestModel { Name = group.Name, ExternalId = group.ExternalId, Users = memberIds ?? [] },
            created: false, ct);
        return result is IStatusCodeHttpResult { StatusCode: >= 400 } ? result : Results.Ok();
    }

    private static async Task<IResult> RemoveUser(Guid orgId, Guid id, Guid memberId, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        if (await ManagerAsync(db, principal, orgId, ct) is not { } member)
        {
            return OrganizationEndpoints.OrganizationNotFound();
        }

        var group = await db.Groups.SingleOrDefaultAsync(g => g.Id == id && g.OrganizationId == orgId, ct);
        if (group is null)
        {
            return GroupNotFound();
        }

        var members = await db.GroupMembers.AsNoTracking().Where(m => m.GroupId == id && m.MembershipId != memberId).Select(m => m.MembershipId).ToListAsync(ct);
        var result = await SaveAsync(db, changes, member, group, new GroupRequestModel { Name = group.Name, ExternalId = group.ExternalId, Users = members },
            created: false, ct);
        return result is IStatusCodeHttpResult { StatusCode: >= 400 } ? result : Results.Ok();
    }

    private static async Task<IResult> Delete(Guid orgId, Guid id, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        if (await ManagerAsync(db, principal, orgId, ct) is null)
        {
            return OrganizationEndpoints.OrganizationNotFound();
        }

        var group = await db.Groups.SingleOrDefaultAsync(g => g.Id == id && g.OrganizationId == orgId, ct);
        return group is null ? GroupNotFound() : await DeleteAsync(db, changes, [group], ct);
    }

    private static async Task<IResult> DeleteMany(Guid orgId, [FromBody] OrganizationUserBulkRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        if (await ManagerAsync(db, principal, orgId, ct) is null)
        {
            return OrganizationEndpoints.OrganizationNotFound();
        }

        var ids = request.Ids?.Distinct().ToList() ?? [];
        var groups = await db.Groups.Where(g => ids.Contains(g.Id) && g.OrganizationId == orgId).ToListAsync(ct);
        // All or nothing: one id of another organization (T1) deletes none of them.
        return ids.Count == 0 || groups.Count != ids.Count ? GroupNotFound() : await DeleteAsync(db, changes, groups, ct);
    }

    /// <summary>The caller's Confirmed membership when it may manage groups, else null (404 for non-members, and for members too:
    /// the group routes are the admin console's, and a 400 here would tell a member nothing more).</summary>
    private static async Task<MemberAccess?> ManagerAsync(CofferDb db, ClaimsPrincipal principal, Guid orgId, CancellationToken ct) =>
        await MemberAccess.LoadAsync(db, principal.UserId(), orgId, ct) is { CanManageGroups: true } member ? member : null;

    private static async Task<IResult> DeleteAsync(CofferDb db, Changes changes, List<Group> groups, CancellationToken ct)
    {
        var ids = groups.ConvertAll(g => g.Id);
        var affected = await AffectedUsersAsync(db, ids, [], ct);
        db.Groups.RemoveRange(groups);
        foreach (var group in groups)
        {
            changes.RecordOrganization(EventType.GroupDeleted, group.OrganizationId, groupId: group.Id);
        }

        return await CommitAsync(changes, affected, Results.Ok(), ct);
    }

    private static async Task<IResult> SaveAsync(CofferDb db, Changes changes, MemberAccess caller, Group group, GroupRequestModel request, bool created, CancellationToken ct)
    {
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength)
        {
            return BitwardenErrors.BadRequest($"A group needs a name of at most {MaxNameLength} characters.", "name");
        }

        if (request.ExternalId is { Length: > MaxExternalIdLength })
        {
            return BitwardenErrors.BadRequest($"externalId may not exceed {MaxExternalIdLength} characters.", "externalId");
        }

        var organizationId = group.OrganizationId;
        var oldAccess = created ? [] : await db.CollectionGroups.Where(a => a.GroupId == group.Id).ToListAsync(ct);
        var oldMembers = created ? [] : await db.GroupMembers.Where(m => m.GroupId == group.Id).ToListAsync(ct);

        List<CollectionGroup>? newAccess = null;
        if (request.Collections is { } collections)
        {
            if (collections.Any(c => c.Id is null) || collections.Select(c => c.Id).Distinct().Count() != collections.Count)
            {
                return BitwardenErrors.BadRequest(InvalidCollection, "collections");
            }

            var ids = collections.Select(c => c.Id!.Value).ToList();
            if (await db.Collections.CountAsync(c => ids.Contains(c.Id) && c.OrganizationId == organizationId, ct) != ids.Count)
            {
                return BitwardenErrors.BadRequest(InvalidCollection, "collections");
            }

            newAccess = collections.Select(c => new CollectionGroup
            {
                CollectionId = c.Id!.Value,
                GroupId = group.Id,
                ReadOnly = c.ReadOnly,
                HidePasswords = c.HidePasswords,
                Manage = c.Manage,
            }).ToList();
            var changed = newAccess.Select(Flags).ToHashSet();
            changed.SymmetricExceptWith(oldAccess.Select(Flags));
            if (changed.Count > 0 && !caller.CanEditAnyCollection)
            {
                // A group's access is granted to its members: granting it takes the right to manage each collection
                // touched (doc §9.4, "a member must not grant themselves more than they have").
                var access = await VaultAccess.LoadAsync(db, caller.Membership.UserId!.Value, ct);
                if (changed.Any(c => access.CollectionAccess(organizationId, c.CollectionId)?.Manage != true))
                {
                    return BitwardenErrors.BadRequest("You can only grant a group access to collections you manage.", "collections");
                }
            }
        }

        List<Guid>? newMembers = null;
        if (request.Users is { } users)
        {
            newMembers = users.Distinct().ToList();
            if (await db.Memberships.CountAsync(m => newMembers.Contains(m.Id) && m.OrganizationId == organizationId, ct) != newMembers.Count)
            {
                return BitwardenErrors.BadRequest(InvalidMember, "users");
            }

            var self = caller.MembershipId;
            if (!caller.IsAdmin && newMembers.Contains(self) != oldMembers.Any(m => m.MembershipId == self))
            {
                return BitwardenErrors.BadRequest("You cannot change your own group membership.", "users");
            }
        }

        var affected = await AffectedUsersAsync(db, created ? [] : [group.Id], newMembers ?? [], ct);
        group.Name = name;
        group.ExternalId = request.ExternalId;
        group.RevisionDate = changes.Now;
        if (created)
        {
            db.Groups.Add(group);
        }

        if (newAccess is not null)
        {
            db.CollectionGroups.RemoveRange(oldAccess);
            db.CollectionGroups.AddRange(newAccess);
        }

        if (newMembers is not null)
        {
            var before = oldMembers.Select(m => m.MembershipId).ToHashSet();
            db.GroupMembers.RemoveRange(oldMembers.Where(m => !newMembers.Contains(m.MembershipId)));
            db.GroupMembers.AddRange(newMembers.Where(id => !before.Contains(id)).Select(id => new GroupMember { GroupId = group.Id, MembershipId = id }));
            foreach (var changedMember in before.ToHashSet().Except(newMembers).Concat(newMembers.Except(before)))
            {
                changes.RecordOrganization(EventType.MemberUpdatedGroups, organizationId, membershipId: changedMember, groupId: group.Id);
            }
        }

        changes.RecordOrganization(created ? EventType.GroupCreated : EventType.GroupUpdated, organizationId, groupId: group.Id);
        var response = new GroupResponseModel
        {
            Id = group.Id,
            OrganizationId = organizationId,
            Name = group.Name,
            ExternalId = group.ExternalId,
            Collections = (newAccess ?? oldAccess).OrderBy(a => a.CollectionId).Select(Selection).ToList(),
        };
        return await CommitAsync(changes, affected, Results.Json(response, CofferJson.Options), ct);
    }

    private static (Guid CollectionId, bool ReadOnly, bool HidePasswords, bool Manage) Flags(CollectionGroup a) => (a.CollectionId, a.ReadOnly, a.HidePasswords, a.Manage);

    private static SelectionReadOnlyResponseModel Selection(CollectionGroup a) =>
        new() { Id = a.CollectionId, ReadOnly = a.ReadOnly, HidePasswords = a.HidePasswords, Manage = a.Manage };

    /// <summary>
    /// The accounts whose access a change to <paramref name="groupIds"/> may alter: their Confirmed members now, and
    /// the Confirmed members among <paramref name="newMembers"/>. One query.
    /// </summary>
    private static async Task<List<Guid>> AffectedUsersAsync(CofferDb db, List<Guid> groupIds, List<Guid> newMembers, CancellationToken ct) =>
        await db.Memberships.AsNoTracking()
            .Where(m => m.Status == MembershipStatus.Confirmed && m.UserId != null
                && (newMembers.Contains(m.Id) || db.GroupMembers.Any(g => g.MembershipId == m.Id && groupIds.Contains(g.GroupId))))
            .Select(m => m.UserId!.Value).Distinct().ToListAsync(ct);

    /// <summary>Their collection access may have changed: bump their revision dates and tell their devices to resync (doc §10).</summary>
    private static async Task<IResult> CommitAsync(Changes changes, List<Guid> affected, IResult result, CancellationToken ct)
    {
        foreach (var userId in affected)
        {
            changes.Notify(PushType.SyncVault, userId);
        }

        await changes.CommitAsync(affected, ct);
        return result;
    }

    private static async Task<List<GroupResponseModel>> ResponsesAsync(CofferDb db, List<Group> groups, CancellationToken ct)
    {
        var ids = groups.ConvertAll(g => g.Id);
        var access = await db.CollectionGroups.AsNoTracking().Where(a => ids.Contains(a.GroupId)).ToListAsync(ct);
        var byGroup = access.ToLookup(a => a.GroupId);
        return groups.ConvertAll(g => new GroupResponseModel
        {
            Id = g.Id,
            OrganizationId = g.OrganizationId,
            Name = g.Name,
            ExternalId = g.ExternalId,
            Collections = byGroup[g.Id].OrderBy(a => a.CollectionId).Select(Selection).ToList(),
        });
    }
}
