using Coffer.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Organizations;

/// <summary>
/// Who in one organization can see what, for revision bumps and notifications (<c>bitwarden-organizations.md</c> §10,
/// pitfall P12): the user ids of its Confirmed members who see every item (edit-any), and those who reach each
/// collection directly or through a group. Loaded in four queries whatever the size of the organization, so a change
/// costs the same for a family and for a company.
/// </summary>
public sealed class Audience
{
    private readonly HashSet<Guid> everyone = [];
    private readonly HashSet<Guid> everyItem = [];
    private readonly Dictionary<Guid, Guid> userOfMembership = [];
    private readonly Dictionary<Guid, HashSet<Guid>> usersOfCollection = [];
    private readonly Dictionary<Guid, HashSet<Guid>> usersOfGroup = [];

    private Audience()
    {
    }

    /// <summary>Every Confirmed member's user id.</summary>
    public IReadOnlyCollection<Guid> Everyone => everyone;

    public static async Task<Audience> LoadAsync(CofferDb db, Guid organizationId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var audience = new Audience();
        var members = await db.Memberships.AsNoTracking()
            .Where(m => m.OrganizationId == organizationId && m.Status == MembershipStatus.Confirmed && m.UserId != null)
            .ToListAsync(ct);
        foreach (var member in members)
        {
            var userId = member.UserId!.Value;
            audience.everyone.Add(userId);
            audience.userOfMembership[member.Id] = userId;
            if (new MemberAccess(member, MemberAccess.ReadPermissions(member)).CanEditAnyCollection)
            {
                audience.everyItem.Add(userId);
            }
        }

        var direct = await (
                from access in db.CollectionMembers
                join membership in db.Memberships on access.MembershipId equals membership.Id
                where membership.OrganizationId == organizationId && membership.Status == MembershipStatus.Confirmed
                select new { access.CollectionId, access.MembershipId })
            .AsNoTracking().ToListAsync(ct);
        var groupMembers = await (
                from member in db.GroupMembers
                join grp in db.Groups on member.GroupId equals grp.Id
                join membership in db.Memberships on member.MembershipId equals membership.Id
                where grp.OrganizationId == organizationId && membership.OrganizationId == organizationId
                    && membership.Status == MembershipStatus.Confirmed
                select new { member.GroupId, member.MembershipId })
            .AsNoTracking().ToListAsync(ct);
        var groupAccess = await (
                from access in db.CollectionGroups
                join grp in db.Groups on access.GroupId equals grp.Id
                where grp.OrganizationId == organizationId
                select new { access.CollectionId, access.GroupId })
            .AsNoTracking().ToListAsync(ct);
        foreach (var row in groupMembers)
        {
            if (audience.userOfMembership.TryGetValue(row.MembershipId, out var userId))
            {
                Add(audience.usersOfGroup, row.GroupId, [userId]);
            }
        }

        foreach (var row in direct)
        {
            if (audience.userOfMembership.TryGetValue(row.MembershipId, out var userId))
            {
                Add(audience.usersOfCollection, row.CollectionId, [userId]);
            }
        }

        foreach (var row in groupAccess)
        {
            if (audience.usersOfGroup.TryGetValue(row.GroupId, out var users))
            {
                Add(audience.usersOfCollection, row.CollectionId, users);
            }
        }

        return audience;
    }

    /// <summary>The members who can see an item in <paramref name="collectionIds"/> (or a collection of them): edit-any members and everyone assigned to one.</summary>
    public HashSet<Guid> ForCollections(IEnumerable<Guid> collectionIds)
    {
        ArgumentNullException.ThrowIfNull(collectionIds);
        var users = new HashSet<Guid>(everyItem);
        foreach (var id in collectionIds)
        {
            if (usersOfCollection.TryGetValue(id, out var assigned))
            {
                users.UnionWith(assigned);
            }
        }

        return users;
    }

    /// <summary>The user ids behind member ids and group ids (new access rows, before they are saved); non-Confirmed ones are left out.</summary>
    public IEnumerable<Guid> UsersOf(IEnumerable<Guid> membershipIds, IEnumerable<Guid> groupIds)
    {
        ArgumentNullException.ThrowIfNull(membershipIds);
        ArgumentNullException.ThrowIfNull(groupIds);
        foreach (var id in membershipIds)
        {
            if (userOfMembership.TryGetValue(id, out var userId))
            {
                yield return userId;
            }
        }

        foreach (var id in groupIds)
        {
            foreach (var userId in usersOfGroup.GetValueOrDefault(id) ?? [])
            {
                yield return userId;
            }
        }
    }

    private static void Add(Dictionary<Guid, HashSet<Guid>> map, Guid key, IEnumerable<Guid> users)
    {
        if (!map.TryGetValue(key, out var set))
        {
            map[key] = set = [];
        }

        set.UnionWith(users);
    }
}
