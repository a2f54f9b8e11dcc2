using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Notifications;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Organizations;

/// <summary>
/// The organization policies the server must enforce itself (<c>bitwarden-organizations.md</c> §1.6, §9.6 T11),
/// because the clients either cannot (two-step login, single organization) or can be bypassed (data ownership).
/// Every way into an organization (create, accept, confirm, restore) asks <see cref="CheckJoinAsync"/> or
/// <see cref="CheckCreateAsync"/>; personal item creation asks <see cref="CheckPersonalItemAsync"/>; enabling a
/// policy calls <see cref="ApplyAsync"/>. Each answers an error message for a 400, or null when allowed.
/// </summary>
/// <remarks>
/// A policy of organization O binds a user whose membership in O is Accepted or Confirmed and not Owner or Admin
/// (upstream's exemption; the clients' <c>isExemptFromPolicies</c> also exempts Custom <c>managePolicies</c>
/// members in their own UI, the server does not). Invited and Revoked memberships bind nobody.
/// Policies the server cannot check are stored and sent in sync for the clients to apply: MasterPassword (1)
/// constrains a password the server never sees; PasswordGenerator (2), MaximumVaultTimeout (9),
/// DisablePersonalVaultExport (10) and the rest govern what a client does locally. DisableSend (6) and
/// SendOptions (7) are enforced on every Send create and edit (<see cref="CheckSendAsync"/>).
/// </remarks>
public static class PolicyEnforcement
{
    public const string BoundElsewhere = "You cannot join this organization because you are a member of another organization which forbids it.";
    public const string LeaveOthersFirst = "You may not join this organization until you leave or remove all other organizations.";
    public const string TwoFactorRequired = "You cannot join this organization until you enable two-step login on your user account.";
    public const string CreateForbidden = "You may not create an organization. You belong to an organization whose single organization policy prohibits you from being a member of any other organization.";
    public const string SendDisabled = "Due to an Enterprise Policy, you are only able to delete an existing Send.";
    public const string HideEmailForbidden = "Due to an Enterprise Policy, you are not allowed to hide your email address from recipients when creating or editing a Send.";
    public const string PersonalItemForbidden = "Due to an Enterprise Policy, you are restricted from saving items to your personal vault.";

    /// <summary>Whether a membership of this type is bound by its organization's policies (Owners and Admins are exempt).</summary>
    public static bool IsBound(MembershipType type) => type is not (MembershipType.Owner or MembershipType.Admin);

    private static bool Binds(MembershipStatus status) => status is MembershipStatus.Accepted or MembershipStatus.Confirmed;

    /// <summary>
    /// Whether <paramref name="userId"/> may join <paramref name="organizationId"/> now: on accept, confirm and restore
    /// (upstream <c>AcceptOrgUserCommand</c>, <c>ConfirmOrganizationUserCommand</c>, <c>RestoreOrganizationUserCommand</c>).
    /// Refused when another organization's SingleOrg policy binds the user; when this organization has SingleOrg
    /// and the user belongs (Accepted, Confirmed or Revoked) to another; when this organization requires two-step
    /// login and the account has none. <paramref name="joiningAs"/> is the membership type, read from the user's
    /// membership row in the organization when null (a row not saved yet counts as a User). Three queries at most.
    /// </summary>
    /// <returns>The Bitwarden error message for a 400, or null when the user may join.</returns>
    public static async Task<string?> CheckJoinAsync(CofferDb db, Guid userId, Guid organizationId, MembershipType? joiningAs = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var memberships = await db.Memberships.AsNoTracking().Where(m => m.UserId == userId)
            .Select(m => new { m.OrganizationId, m.Type, m.Status }).ToListAsync(ct);
        var type = joiningAs ?? memberships.FirstOrDefault(m => m.OrganizationId == organizationId)?.Type ?? MembershipType.User;
        var others = memberships.Where(m => m.OrganizationId != organizationId && m.Status != MembershipStatus.Invited).ToList();
        var boundElsewhere = others.Where(m => Binds(m.Status) && IsBound(m.Type)).Select(m => m.OrganizationId).ToList();
        var policies = await db.Policies.AsNoTracking()
            .Where(p => p.Enabled && (p.Type == PolicyType.SingleOrg || p.Type == PolicyType.TwoFactorAuthentication)
                && (p.OrganizationId == organizationId || boundElsewhere.Contains(p.OrganizationId)))
            .Select(p => new { p.OrganizationId, p.Type }).ToListAsync(ct);

        if (policies.Any(p => p.OrganizationId != organizationId && p.Type == PolicyType.SingleOrg))
        {
            return BoundElsewhere;
        }

        if (!IsBound(type))
        {
            return null;
        }

        if (others.Count > 0 && policies.Any(p => p.OrganizationId == organizationId && p.Type == PolicyType.SingleOrg))
        {
            return LeaveOthersFirst;
        }

        if (policies.Any(p => p.OrganizationId == organizationId && p.Type == PolicyType.TwoFactorAuthentication)
            && !await db.Users.Where(u => u.Id == userId).AnyAsync(TwoFactor.TwoFactorProviders.IsOn(db), ct))
        {
            return TwoFactorRequired;
        }

        return null;
    }

    /// <summary>
    /// Whether <paramref name="userId"/> may create an organization: not while another organization's SingleOrg
    /// policy binds them (doc §3.2; upstream <c>CloudOrganizationSignUpCommand</c>). One query.
    /// </summary>
    public static async Task<string?> CheckCreateAsync(CofferDb db, Guid userId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var bound = await BindingPolicies(db, userId, PolicyType.SingleOrg).AnyAsync(ct);
        return bound ? CreateForbidden : null;
    }

    /// <summary>
    /// Whether <paramref name="userId"/> may save an item to their personal vault (create or import): not while an
    /// OrganizationDataOwnership policy (5) binds them (upstream <c>CiphersController.Post</c>, doc §1.6). One query.
    /// </summary>
    public static async Task<string?> CheckPersonalItemAsync(CofferDb db, Guid userId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var bound = await BindingPolicies(db, userId, PolicyType.OrganizationDataOwnership).AnyAsync(ct);
        return bound ? PersonalItemForbidden : null;
    }

    /// <summary>
    /// Whether <paramref name="userId"/> may create or change a Send (upstream <c>SendValidationService</c>): not while a
    /// DisableSend policy (6) binds them (deleting stays allowed), and not with <paramref name="hideEmail"/> while a
    /// SendOptions policy (7) with <c>{"disableHideEmail":true}</c> does. One query.
    /// </summary>
    public static async Task<string?> CheckSendAsync(CofferDb db, Guid userId, bool hideEmail, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var binding = await (from policy in db.Policies
                             join membership in db.Memberships on policy.OrganizationId equals membership.OrganizationId
                             where policy.Enabled && (policy.Type == PolicyType.DisableSend || policy.Type == PolicyType.SendOptions) && membership.UserId == userId
                                 && (membership.Status == MembershipStatus.Accepted || membership.Status == MembershipStatus.Confirmed)
                                 && membership.Type != MembershipType.Owner && membership.Type != MembershipType.Admin
                             select new { policy.Type, policy.Data }).ToListAsync(ct);
        if (binding.Any(p => p.Type == PolicyType.DisableSend))
        {
            return SendDisabled;
        }

        return hideEmail && binding.Any(p => p.Type == PolicyType.SendOptions && DisablesHideEmail(p.Data)) ? HideEmailForbidden : null;
    }

    private static bool DisablesHideEmail(string? data)
    {
        if (data is null)
        {
            return false;
        }

        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(data);
            return json.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && json.RootElement.EnumerateObject().Any(p => p.NameEquals("disableHideEmail") && p.Value.ValueKind == System.Text.Json.JsonValueKind.True);
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    /// <summary>The enabled policies of <paramref name="type"/> that bind <paramref name="userId"/>, as a query.</summary>
    private static IQueryable<Policy> BindingPolicies(CofferDb db, Guid userId, PolicyType type) =>
        from policy in db.Policies
        join membership in db.Memberships on policy.OrganizationId equals membership.OrganizationId
        where policy.Enabled && policy.Type == type && membership.UserId == userId
            && (membership.Status == MembershipStatus.Accepted || membership.Status == MembershipStatus.Confirmed)
            && membership.Type != MembershipType.Owner && membership.Type != MembershipType.Admin
        select policy;

    /// <summary>
    /// Makes an organization comply with a policy just enabled: for TwoFactorAuthentication, every bound member
    /// without two-step login, and for SingleOrg, every bound member who also belongs to another organization, is
    /// <b>revoked</b> (upstream's current behaviour, <c>RevokeNonCompliantOrganizationUserCommand</c>; older
    /// upstream and Vaultwarden removed them). Revoking keeps the member's wrapped key and collection access, so an
    /// admin can restore them once they comply, and restore runs <see cref="CheckJoinAsync"/> again. Each revoked
    /// member is audited (1511) and told to resync (<see cref="PushType.SyncOrgKeys"/>); their ids are returned so
    /// the caller bumps their revision dates in the same commit.
    /// </summary>
    public static async Task<IReadOnlyList<Guid>> ApplyAsync(CofferDb db, Changes changes, Policy policy, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(policy);
        if (!policy.Enabled || policy.Type is not (PolicyType.TwoFactorAuthentication or PolicyType.SingleOrg))
        {
            return [];
        }

        var organizationId = policy.OrganizationId;
        var bound = db.Memberships.Where(m => m.OrganizationId == organizationId && m.UserId != null
            && (m.Status == MembershipStatus.Accepted || m.Status == MembershipStatus.Confirmed)
            && m.Type != MembershipType.Owner && m.Type != MembershipType.Admin);
        var offending = policy.Type == PolicyType.TwoFactorAuthentication
            ? bound.Where(m => db.Users.Where(u => u.Id == m.UserId).Any(TwoFactor.TwoFactorProviders.IsOff(db)))
            : bound.Where(m => db.Memberships.Any(o => o.UserId == m.UserId && o.OrganizationId != organizationId && o.Status != MembershipStatus.Invited));
        var members = await offending.ToListAsync(ct);
        foreach (var member in members)
        {
            Revoke(member, changes);
        }

        return [.. members.Select(m => m.UserId!.Value)];
    }

    /// <summary>
    /// Called when <paramref name="userId"/> turns two-step login off: revokes their bound memberships in every
    /// organization that requires it (upstream <c>TwoFactorIsEnabledAsync</c> checks on disable). Returns whether
    /// any was revoked, so the caller commits the account's revision date with it.
    /// </summary>
    public static async Task<bool> OnTwoFactorDisabledAsync(CofferDb db, Changes changes, Guid userId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(changes);
        var requiring = BindingPolicies(db, userId, PolicyType.TwoFactorAuthentication).Select(p => p.OrganizationId);
        var members = await db.Memberships.Where(m => m.UserId == userId && requiring.Contains(m.OrganizationId)
            && (m.Status == MembershipStatus.Accepted || m.Status == MembershipStatus.Confirmed)).ToListAsync(ct);
        foreach (var member in members)
        {
            Revoke(member, changes);
        }

        return members.Count > 0;
    }

    private static void Revoke(Membership member, Changes changes)
    {
        member.StatusBeforeRevoke = member.Status;
        member.Status = MembershipStatus.Revoked;
        member.RevisionDate = changes.Now;
        changes.RecordOrganization(EventType.MemberRevoked, member.OrganizationId, member.UserId, membershipId: member.Id,
            detail: "policy");
        changes.Notify(PushType.SyncOrgKeys, member.UserId!.Value, excludeActingDevice: false);
    }
}
