using Coffer.Server.Ciphers;
using Coffer.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Organizations;

/// <summary>
/// Everything one user may reach through organizations, loaded in three queries whatever their number: each
/// Confirmed membership (<see cref="Organizations"/>) and the user's combined flags on each collection they are
/// assigned to, directly or through a group (<see cref="Collections"/>). Invited, Accepted and Revoked memberships
/// grant nothing, and neither do their collection rows (doc §9.1, T13). This is the single answer to "which items
/// may this user see and how": sync, every cipher route and every organization item route ask it
/// (doc §12, "build it once").
/// </summary>
public sealed class VaultAccess
{
    private VaultAccess(Guid userId, Dictionary<Guid, MemberAccess> organizations, Dictionary<Guid, (Guid OrganizationId, CollectionFlags Flags)> collections)
    {
        UserId = userId;
        Organizations = organizations;
        Collections = collections;
    }

    public Guid UserId { get; }

    /// <summary>The user's Confirmed memberships by organization id.</summary>
    public IReadOnlyDictionary<Guid, MemberAccess> Organizations { get; }

    /// <summary>The collections the user is assigned to (direct or group), with their organization and combined flags.</summary>
    public IReadOnlyDictionary<Guid, (Guid OrganizationId, CollectionFlags Flags)> Collections { get; }

    /// <summary>Loads the user's access: memberships, direct collection rows, group collection rows (three queries).</summary>
    public static async Task<VaultAccess> LoadAsync(CofferDb db, Guid userId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var memberships = await db.Memberships.AsNoTracking()
            .Where(m => m.UserId == userId && m.Status == MembershipStatus.Confirmed)
            .ToListAsync(ct);
        var organizations = memberships.ToDictionary(m => m.OrganizationId, m => new MemberAccess(m, MemberAccess.ReadPermissions(m)));
        var collections = new Dictionary<Guid, (Guid, CollectionFlags)>();
        if (memberships.Count == 0)
        {
            return new VaultAccess(userId, organizations, collections);
        }

        var direct = await (
                from access in db.CollectionMembers
                join membership in db.Memberships on access.MembershipId equals membership.Id
                join collection in db.Collections on access.CollectionId equals collection.Id
                where membership.UserId == userId && membership.Status == MembershipStatus.Confirmed
                    && collection.OrganizationId == membership.OrganizationId
                select new { access.CollectionId, collection.OrganizationId, access.ReadOnly, access.HidePasswords, access.Manage })
            .AsNoTracking().ToListAsync(ct);
        var viaGroups = await (
                from access in db.CollectionGroups
                join groupMember in db.GroupMembers on access.GroupId equals groupMember.GroupId
                join membership in db.Memberships on groupMember.MembershipId equals membership.Id
                join grp in db.Groups on access.GroupId equals grp.Id
                join collection in db.Collections on access.CollectionId equals collection.Id
                where membership.UserId == userId && membership.Status == MembershipStatus.Confirmed
                    && grp.OrganizationId == membership.OrganizationId && collection.OrganizationId == membership.OrganizationId
                select new { access.CollectionId, collection.OrganizationId, access.ReadOnly, access.HidePasswords, access.Manage })
            .AsNoTracking().ToListAsync(ct);
        foreach (var row in direct.Concat(viaGroups))
        {
            var flags = new CollectionFlags(row.ReadOnly, row.HidePasswords, row.Manage);
            collections[row.CollectionId] = collections.TryGetValue(row.CollectionId, out var seen)
                ? (row.OrganizationId, seen.Item2.Combine(flags))
                : (row.OrganizationId, flags);
        }

        return new VaultAccess(userId, organizations, collections);
    }

    /// <summary>The caller's Confirmed membership in <paramref name="organizationId"/>, or null (answer 404).</summary>
    public MemberAccess? Member(Guid organizationId) => Organizations.GetValueOrDefault(organizationId);

    /// <summary>The caller's flags on a collection of <paramref name="organizationId"/>: full for edit-any members, null when unassigned.</summary>
    public CollectionFlags? CollectionAccess(Guid organizationId, Guid collectionId)
    {
        if (Member(organizationId) is not { } member)
        {
            return null;
        }

        if (Collections.TryGetValue(collectionId, out var assigned) && assigned.OrganizationId == organizationId)
        {
            return member.CanEditAnyCollection ? CollectionFlags.Full : assigned.Flags;
        }

        return member.CanEditAnyCollection ? CollectionFlags.Full : null;
    }

    /// <summary>
    /// The caller's access to an item whose collections are <paramref name="collectionIds"/>, or null when the caller
    /// may not see it (answer 404, doc §9.2). A personal item is the owner's alone.
    /// </summary>
    public CollectionFlags? ItemAccess(Cipher cipher, IEnumerable<Guid> collectionIds)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        ArgumentNullException.ThrowIfNull(collectionIds);
        if (cipher.OrganizationId is not { } organizationId)
        {
            return cipher.UserId == UserId ? CollectionFlags.Full : null;
        }

        if (Member(organizationId) is not { } member)
        {
            return null;
        }

        if (member.CanEditAnyCollection)
        {
            return CollectionFlags.Full;
        }

        CollectionFlags? combined = null;
        foreach (var id in collectionIds)
        {
            if (Collections.TryGetValue(id, out var assigned) && assigned.OrganizationId == organizationId)
            {
                combined = combined is { } c ? c.Combine(assigned.Flags) : assigned.Flags;
            }
        }

        return combined;
    }

    /// <summary>
    /// Of an item's collections, those the caller may see (sync's <c>collectionIds</c>, doc §7.3): all of them for
    /// edit-any members, else the assigned ones.
    /// </summary>
    public IEnumerable<Guid> VisibleCollections(Guid organizationId, IEnumerable<Guid> collectionIds)
    {
        ArgumentNullException.ThrowIfNull(collectionIds);
        var all = Member(organizationId)?.CanEditAnyCollection == true;
        return collectionIds.Where(id => all || (Collections.TryGetValue(id, out var c) && c.OrganizationId == organizationId));
    }

    /// <summary>
    /// Every item the caller may see, as one query: their personal items, every item of organizations where they edit
    /// any collection, and the items of their assigned collections.
    /// </summary>
    public IQueryable<Cipher> VisibleCiphers(CofferDb db)
    {
        ArgumentNullException.ThrowIfNull(db);
        var userId = UserId;
        var everyItemOf = Organizations.Values.Where(m => m.CanEditAnyCollection).Select(m => m.OrganizationId).ToList();
        var assigned = Collections.Where(c => !everyItemOf.Contains(c.Value.OrganizationId)).Select(c => c.Key).ToList();
        if (everyItemOf.Count == 0 && assigned.Count == 0)
        {
            return db.Ciphers.Where(c => c.UserId == userId);
        }

        return db.Ciphers.Where(c => c.UserId == userId
            || (c.OrganizationId != null && everyItemOf.Contains(c.OrganizationId.Value))
            || db.CollectionCiphers.Any(l => l.CipherId == c.Id && assigned.Contains(l.CollectionId)));
    }
}
