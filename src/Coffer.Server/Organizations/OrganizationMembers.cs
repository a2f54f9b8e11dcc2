using Coffer.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Organizations;

/// <summary>
/// Membership questions several routes ask about a whole organization: who gets its notifications and revision bumps,
/// and the last-owner rule (doc §9.5: an organization always keeps at least one Confirmed Owner).
/// </summary>
public static class OrganizationMembers
{
    public const string LastOwnerMessage = "An organization must keep at least one confirmed owner.";

    /// <summary>
    /// The accounts of the organization's Confirmed members, read at the time of the change. Organization
    /// notifications and revision bumps go to these ids only, so a member who was removed or revoked before the change
    /// hears nothing of it (issue 11 point 7).
    /// </summary>
    public static async Task<List<Guid>> ConfirmedUserIdsAsync(CofferDb db, Guid organizationId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return await db.Memberships.AsNoTracking()
            .Where(m => m.OrganizationId == organizationId && m.Status == MembershipStatus.Confirmed && m.UserId != null)
            .Select(m => m.UserId!.Value).ToListAsync(ct);
    }

    /// <summary>Whether <paramref name="membership"/> is the organization's only Confirmed Owner.</summary>
    public static async Task<bool> IsLastConfirmedOwnerAsync(CofferDb db, Membership membership, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(membership);
        return membership is { Status: MembershipStatus.Confirmed, Type: MembershipType.Owner }
            && !await db.Memberships.AnyAsync(m => m.OrganizationId == membership.OrganizationId && m.Id != membership.Id
                && m.Status == MembershipStatus.Confirmed && m.Type == MembershipType.Owner, ct);
    }

    /// <summary>
    /// Prepares deleting the account <paramref name="userId"/> (doc §9.5, Vaultwarden <c>User::delete</c>): the refusal
    /// message while it is the last Confirmed Owner of an organization that has other members; otherwise queues the
    /// deletion of the organizations it is the only member of (nobody could ever reach them again) and returns the
    /// Confirmed members of its other organizations, whose member lists change. Its memberships go with the account
    /// row (ON DELETE CASCADE).
    /// </summary>
    public static async Task<(string? Refusal, List<Guid> OtherMembers)> PrepareAccountDeletionAsync(CofferDb db, Guid userId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var organizations = await db.Memberships.AsNoTracking().Where(m => m.UserId == userId).Select(m => m.OrganizationId).ToListAsync(ct);
        if (organizations.Count == 0)
        {
            return (null, []);
        }

        var members = await db.Memberships.AsNoTracking().Where(m => organizations.Contains(m.OrganizationId)).ToListAsync(ct);
        var alone = new List<Guid>();
        foreach (var organizationId in organizations)
        {
            var inOrganization = members.Where(m => m.OrganizationId == organizationId).ToList();
            var others = inOrganization.Where(m => m.UserId != userId).ToList();
            if (others.Count == 0)
            {
                alone.Add(organizationId);
                continue;
            }

            var own = inOrganization.Single(m => m.UserId == userId);
            if (own is { Status: MembershipStatus.Confirmed, Type: MembershipType.Owner }
                && !others.Any(m => m is { Status: MembershipStatus.Confirmed, Type: MembershipType.Owner }))
            {
                var name = await db.Organizations.AsNoTracking().Where(o => o.Id == organizationId).Select(o => o.Name).SingleAsync(ct);
                return ($"This account is the last owner of the organization \"{name}\", which has other members. Make another member an owner, or delete the organization, first.", []);
            }
        }

        // Items, collections, memberships, groups and policies go with the organization row (ON DELETE CASCADE).
        db.Organizations.RemoveRange(await db.Organizations.Where(o => alone.Contains(o.Id)).ToListAsync(ct));
        var notify = members.Where(m => m.UserId is { } id && id != userId && m.Status == MembershipStatus.Confirmed)
            .Select(m => m.UserId!.Value).Distinct().ToList();
        return (null, notify);
    }
}
