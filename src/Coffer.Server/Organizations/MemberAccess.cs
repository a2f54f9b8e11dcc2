using System.Text.Json;
using Coffer.Protocol.Api;
using Coffer.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Organizations;

/// <summary>
/// What a Confirmed member may do in their organization by type and permissions (<c>bitwarden-organizations.md</c>
/// §1.4, §9.5). Every organization route asks these questions, never the raw type, so a rule lives in one place.
/// Coffer's organizations always allow admins access to every item (<c>allowAdminAccessToAllCollectionItems</c>)
/// and limit collection creation and deletion to those with the right (<c>limitCollectionCreation</c>,
/// <c>limitCollectionDeletion</c>), the answers they send to the clients.
/// </summary>
public sealed record MemberAccess(Membership Membership, PermissionsModel Permissions)
{
    public Guid OrganizationId => Membership.OrganizationId;
    public Guid MembershipId => Membership.Id;
    public MembershipType Type => Membership.Type;

    public bool IsOwner => Type == MembershipType.Owner;

    /// <summary>Owner or Admin.</summary>
    public bool IsAdmin => Type is MembershipType.Owner or MembershipType.Admin;

    private bool IsCustom => Type == MembershipType.Custom;

    public bool CanManageUsers => IsAdmin || (IsCustom && Permissions.ManageUsers);
    public bool CanManagePolicies => IsAdmin || (IsCustom && Permissions.ManagePolicies);
    public bool CanManageGroups => IsAdmin || (IsCustom && Permissions.ManageGroups);
    public bool CanAccessEventLogs => IsAdmin || (IsCustom && Permissions.AccessEventLogs);
    public bool CanAccessImportExport => IsAdmin || (IsCustom && Permissions.AccessImportExport);
    public bool CanCreateCollections => IsAdmin || (IsCustom && Permissions.CreateNewCollections);

    /// <summary>Reads and edits every item of the organization, unassigned ones too, and every collection.</summary>
    public bool CanEditAnyCollection => IsAdmin || (IsCustom && Permissions.EditAnyCollection);

    public bool CanDeleteAnyCollection => IsAdmin || (IsCustom && Permissions.DeleteAnyCollection);

    /// <summary>The clients' <c>canViewAllCollections</c> (doc §1.4).</summary>
    public bool CanViewAllCollections => CanEditAnyCollection || CanDeleteAnyCollection;

    /// <summary>
    /// Whether this member may invite, confirm, edit, revoke, restore or remove a member of <paramref name="target"/>
    /// type, or grant that type: Owners and Admins only by an Owner (doc §9.5).
    /// </summary>
    public bool CanManageMemberOfType(MembershipType target) =>
        target is MembershipType.Owner or MembershipType.Admin ? IsOwner : CanManageUsers;

    /// <summary>Whether this member may act on <paramref name="target"/> (a member of the same organization) by its type.</summary>
    public bool CanManageMember(Membership target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return CanManageMemberOfType(target.Type);
    }

    /// <summary>
    /// The caller's Confirmed membership in <paramref name="organizationId"/> in one query, or null (answer 404): for
    /// routes that need nothing but the caller's own role (member and organization routes). Invited, Accepted and
    /// Revoked memberships answer null, so an unconfirmed "Owner" is no owner (pitfall P14, T7).
    /// </summary>
    public static async Task<MemberAccess?> LoadAsync(CofferDb db, Guid userId, Guid organizationId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var membership = await db.Memberships.AsNoTracking()
            .SingleOrDefaultAsync(m => m.OrganizationId == organizationId && m.UserId == userId && m.Status == MembershipStatus.Confirmed, ct);
        return membership is null ? null : new MemberAccess(membership, ReadPermissions(membership));
    }

    /// <summary>The stored permissions of a membership, or all false when it is not Custom (doc §1.4).</summary>
    public static PermissionsModel ReadPermissions(Membership membership)
    {
        ArgumentNullException.ThrowIfNull(membership);
        return membership.Type == MembershipType.Custom && membership.Permissions is { } json
            ? JsonSerializer.Deserialize<PermissionsModel>(json, CofferJson.Options) ?? new PermissionsModel()
            : new PermissionsModel();
    }

    /// <summary>The JSON stored for <paramref name="type"/>: the permissions of a Custom member, null for the others.</summary>
    public static string? WritePermissions(MembershipType type, PermissionsModel? permissions) =>
        type == MembershipType.Custom ? JsonSerializer.Serialize(permissions ?? new PermissionsModel(), CofferJson.Options) : null;
}
