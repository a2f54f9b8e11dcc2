using Coffer.Protocol.Api;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Organizations;

/// <summary>A member's collection and group assignments as invite and edit bodies give them (doc §4.2, §4.5).</summary>
public static class MemberAssignments
{
    /// <summary>
    /// Every collection and group id of a member body must be a collection or group of <paramref name="orgId"/>
    /// (doc §4.2, T8): "Invalid collection" / "Invalid group" otherwise, before anything is saved.
    /// </summary>
    public static async Task<IResult?> CheckAsync(CofferDb db, Guid orgId, IReadOnlyList<SelectionReadOnlyRequestModel>? collections, IReadOnlyList<Guid>? groups, CancellationToken ct)
    {
        if (collections is { Count: > 0 })
        {
            if (collections.Any(c => c.Id is null) || collections.Count > 10_000)
            {
                return BitwardenErrors.BadRequest("Invalid collection", "collections");
            }

            var ids = collections.Select(c => c.Id!.Value).Distinct().ToList();
            if (ids.Count != collections.Count || await db.Collections.CountAsync(c => ids.Contains(c.Id) && c.OrganizationId == orgId, ct) != ids.Count)
            {
                return BitwardenErrors.BadRequest("Invalid collection", "collections");
            }
        }

        if (groups is { Count: > 0 })
        {
            var ids = groups.Distinct().ToList();
            if (ids.Count > 10_000 || await db.Groups.CountAsync(g => ids.Contains(g.Id) && g.OrganizationId == orgId, ct) != ids.Count)
            {
                return BitwardenErrors.BadRequest("Invalid group", "groups");
            }
        }

        return null;
    }

    /// <summary>Adds the access rows of a checked body (<see cref="CheckAsync"/>) for a member.</summary>
    public static void Add(CofferDb db, Guid memberId, IReadOnlyList<SelectionReadOnlyRequestModel>? collections, IReadOnlyList<Guid>? groups)
    {
        foreach (var c in collections ?? [])
        {
            db.CollectionMembers.Add(new CollectionMember { CollectionId = c.Id!.Value, MembershipId = memberId, ReadOnly = c.ReadOnly, HidePasswords = c.HidePasswords, Manage = c.Manage });
        }

        foreach (var groupId in (groups ?? []).Distinct())
        {
            db.GroupMembers.Add(new GroupMember { GroupId = groupId, MembershipId = memberId });
        }
    }

    /// <summary>
    /// Replaces a member's collection rows and group rows with a checked body's, each only when sent (null keeps them,
    /// pitfall P16). Rows that stay are updated in place, so the tracked keys never collide.
    /// </summary>
    public static async Task ReplaceAsync(CofferDb db, Guid memberId, IReadOnlyList<SelectionReadOnlyRequestModel>? collections, IReadOnlyList<Guid>? groups, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (collections is not null)
        {
            var existing = await db.CollectionMembers.Where(a => a.MembershipId == memberId).ToDictionaryAsync(a => a.CollectionId, ct);
            foreach (var c in collections)
            {
                if (existing.Remove(c.Id!.Value, out var row))
                {
                    (row.ReadOnly, row.HidePasswords, row.Manage) = (c.ReadOnly, c.HidePasswords, c.Manage);
                }
                else
                {
                    db.CollectionMembers.Add(new CollectionMember { CollectionId = c.Id.Value, MembershipId = memberId, ReadOnly = c.ReadOnly, HidePasswords = c.HidePasswords, Manage = c.Manage });
                }
            }

            db.CollectionMembers.RemoveRange(existing.Values);
        }

        if (groups is not null)
        {
            var existing = await db.GroupMembers.Where(g => g.MembershipId == memberId).ToDictionaryAsync(g => g.GroupId, ct);
            foreach (var groupId in groups.Distinct())
            {
                if (!existing.Remove(groupId))
                {
                    db.GroupMembers.Add(new GroupMember { GroupId = groupId, MembershipId = memberId });
                }
            }

            db.GroupMembers.RemoveRange(existing.Values);
        }
    }
}
