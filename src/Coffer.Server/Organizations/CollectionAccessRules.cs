using Coffer.Protocol.Api;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Organizations;

/// <summary>
/// Saving a collection's access rows (doc <c>bitwarden-organizations.md</c> §5.1, §9.4): every entry names a member or
/// group of this organization (an entry without id, or an id of another organization, is 400: pitfall P17, advisory
/// T8), and a member without edit-any may neither change their own row nor grant manage they lack.
/// </summary>
public static class CollectionAccessRules
{
    /// <summary>
    /// Checks and stages the rows of <paramref name="collectionId"/>: <paramref name="users"/> and <paramref name="groups"/>
    /// replace the stored lists (<paramref name="replace"/>) or are added to them (bulk access); a null list is left as
    /// it is. <paramref name="creating"/> lets the creator grant themselves manage on a new collection. Null on
    /// success, else the 400 to answer (nothing staged then matters: the caller does not commit).
    /// </summary>
    public static async Task<IResult?> ApplyAsync(CofferDb db, MemberAccess member, Guid collectionId, IReadOnlyList<SelectionReadOnlyRequestModel>? users,
        IReadOnlyList<SelectionReadOnlyRequestModel>? groups, bool replace, bool creating, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(member);
        var orgId = member.OrganizationId;
        if (users is not null)
        {
            if (await CheckIdsAsync(users, ids => db.Memberships.CountAsync(m => ids.Contains(m.Id) && m.OrganizationId == orgId, ct)) is false)
            {
                return BitwardenErrors.BadRequest("Invalid member: every entry needs the id of a member of this organization.", "users");
            }

            var existing = await db.CollectionMembers.Where(a => a.CollectionId == collectionId).ToListAsync(ct);
            if (!creating && !member.CanEditAnyCollection && RefuseSelfChange(member, existing, users, replace) is { } refused)
            {
                return refused;
            }

            Stage(db.CollectionMembers, existing, users, replace, a => a.MembershipId,
                (id, r) => new CollectionMember { CollectionId = collectionId, MembershipId = id, ReadOnly = r.ReadOnly, HidePasswords = r.HidePasswords, Manage = r.Manage },
                (a, r) => (a.ReadOnly, a.HidePasswords, a.Manage) = (r.ReadOnly, r.HidePasswords, r.Manage));
        }

        if (groups is not null)
        {
            if (await CheckIdsAsync(groups, ids => db.Groups.CountAsync(g => ids.Contains(g.Id) && g.OrganizationId == orgId, ct)) is false)
            {
                return BitwardenErrors.BadRequest("Invalid group: every entry needs the id of a group of this organization.", "groups");
            }

            var existing = await db.CollectionGroups.Where(a => a.CollectionId == collectionId).ToListAsync(ct);
            Stage(db.CollectionGroups, existing, groups, replace, a => a.GroupId,
                (id, r) => new CollectionGroup { CollectionId = collectionId, GroupId = id, ReadOnly = r.ReadOnly, HidePasswords = r.HidePasswords, Manage = r.Manage },
                (a, r) => (a.ReadOnly, a.HidePasswords, a.Manage) = (r.ReadOnly, r.HidePasswords, r.Manage));
        }

        return null;
    }

    private static async Task<bool> CheckIdsAsync(IReadOnlyList<SelectionReadOnlyRequestModel> rows, Func<List<Guid>, Task<int>> countInOrganization)
    {
        if (rows.Any(r => r?.Id is null))
        {
            return false;
        }

        var ids = rows.Select(r => r.Id!.Value).Distinct().ToList();
        return ids.Count == rows.Count && (ids.Count == 0 || await countInOrganization(ids) == ids.Count);
    }

    // Doc §9.4: a member who manages a collection but may not edit any must not raise their own access.
    private static IResult? RefuseSelfChange(MemberAccess member, List<CollectionMember> existing, IReadOnlyList<SelectionReadOnlyRequestModel> users, bool replace)
    {
        var own = existing.SingleOrDefault(a => a.MembershipId == member.MembershipId);
        var requested = users.SingleOrDefault(r => r.Id == member.MembershipId);
        var changed = requested is null
            ? replace && own is not null
            : own is null || (own.ReadOnly, own.HidePasswords, own.Manage) != (requested.ReadOnly, requested.HidePasswords, requested.Manage);
        if (changed)
        {
            return BitwardenErrors.BadRequest("You cannot change your own access to a collection.", "users");
        }

        return users.Any(r => r.Manage) && own is not { Manage: true }
            ? BitwardenErrors.BadRequest("You cannot grant manage access you do not have.", "users")
            : null;
    }

    private static void Stage<T>(DbSet<T> set, List<T> existing, IReadOnlyList<SelectionReadOnlyRequestModel> rows, bool replace, Func<T, Guid> key,
        Func<Guid, SelectionReadOnlyRequestModel, T> create, Action<T, SelectionReadOnlyRequestModel> update)
        where T : class
    {
        var byId = existing.ToDictionary(key);
        var wanted = rows.ToDictionary(r => r.Id!.Value);
        if (replace)
        {
            set.RemoveRange(existing.Where(e => !wanted.ContainsKey(key(e))));
        }

        foreach (var (id, row) in wanted)
        {
            if (byId.TryGetValue(id, out var current))
            {
                update(current, row);
            }
            else
            {
                set.Add(create(id, row));
            }
        }
    }
}
