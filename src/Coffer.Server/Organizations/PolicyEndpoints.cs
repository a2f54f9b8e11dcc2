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
/// <c>/api/organizations/{orgId}/policies…</c> (<c>bitwarden-organizations.md</c> §0.1 row 40, §1.6; upstream
/// <c>PoliciesController</c>). Every Confirmed member reads the organization's policies (sync sends them the same
/// anyway); Owners, Admins and Custom members with <c>managePolicies</c> change them. Every type the clients know
/// (0–22) is stored with its <c>data</c> object as sent. What the server itself enforces is in
/// <see cref="PolicyEnforcement"/>: TwoFactorAuthentication (0), SingleOrg (3) and OrganizationDataOwnership (5).
/// MasterPassword (1) cannot be enforced by a server that never sees the password: it is stored and sent to the
/// clients, which check a new master password against it. DisableSend (6) and SendOptions (7) are enforced by the
/// Send routes (<see cref="PolicyEnforcement.CheckSendAsync"/>). RequireSso (4) and ResetPassword (8) cannot be turned on:
/// this server has neither single sign-on nor account recovery.
/// </summary>
public static class PolicyEndpoints
{
    // A policy's data object is a handful of switches and numbers; anything larger is not a policy.
    private const int MaxDataLength = 4096;

    private const string EnforcementNote =
        "Every type 0–22 is stored with its data and sent to the members' clients in sync. The server enforces: "
        + "TwoFactorAuthentication (0: enabling it revokes bound members without two-step login; confirm, restore and accept "
        + "are refused without it), SingleOrg (3: enabling it revokes bound members of other organizations; joining, confirming "
        + "into or creating another organization is refused) and OrganizationDataOwnership (5: no personal items for bound "
        + "members). MasterPassword (1) is NOT enforced by the server, which never sees the master password: the clients check "
        + "new passwords against it. DisableSend (6) and SendOptions (7: disableHideEmail) bind Send create and edit. RequireSso (4) and "
        + "ResetPassword (8) cannot be enabled. Owners and Admins are exempt.";

    public static void MapPolicies(this IEndpointRouteBuilder api)
    {
        var policies = api.MapGroup("/organizations/{orgId:guid}/policies").WithTags("Policies");
        policies.MapGet("", List).Produces<ListResponseModel<PolicyResponseModel>>().WithSummary("The organization's policies (any Confirmed member)");
        policies.MapGet("/master-password", MasterPassword).Produces<PolicyResponseModel>()
            .WithSummary("The enabled MasterPassword policy (type 1), or 404 when there is none");
        policies.MapGet("/{type:int}", Get).Produces<PolicyResponseModel>()
            .WithSummary("One policy by type (0–22); a type never set answers as disabled");
        policies.MapPut("/{type:int}", Put).Produces<PolicyResponseModel>()
            .WithSummary("Set a policy: {enabled, data} (Owner, Admin or Custom managePolicies)")
            .WithDescription(EnforcementNote);
        policies.MapPut("/{type:int}/vnext", Put).Produces<PolicyResponseModel>()
            .WithSummary("The web vault's form of PUT: {policy:{enabled, data}, metadata}");
    }

    private static async Task<IResult> List(Guid orgId, ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        if (await MemberAccess.LoadAsync(db, principal.UserId(), orgId, ct) is null)
        {
            return OrganizationEndpoints.OrganizationNotFound();
        }

        var policies = await db.Policies.AsNoTracking().Where(p => p.OrganizationId == orgId).OrderBy(p => p.Type).ToListAsync(ct);
        return Results.Json(new ListResponseModel<PolicyResponseModel> { Data = policies.ConvertAll(OrganizationResponses.Policy) }, CofferJson.Options);
    }

    private static async Task<IResult> MasterPassword(Guid orgId, ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        if (await MemberAccess.LoadAsync(db, principal.UserId(), orgId, ct) is null)
        {
            return OrganizationEndpoints.OrganizationNotFound();
        }

        var policy = await db.Policies.AsNoTracking()
            .SingleOrDefaultAsync(p => p.OrganizationId == orgId && p.Type == PolicyType.MasterPassword && p.Enabled, ct);
        return policy is null
            ? BitwardenErrors.NotFound("Policy not found.")
            : Results.Json(OrganizationResponses.Policy(policy), CofferJson.Options);
    }

    private static async Task<IResult> Get(Guid orgId, int type, ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        if (await MemberAccess.LoadAsync(db, principal.UserId(), orgId, ct) is not { } member)
        {
            return OrganizationEndpoints.OrganizationNotFound();
        }

        if (!Enum.IsDefined((PolicyType)type))
        {
            return BitwardenErrors.NotFound("Policy not found.");
        }

        var policy = await db.Policies.AsNoTracking().SingleOrDefaultAsync(p => p.OrganizationId == orgId && p.Type == (PolicyType)type, ct)
            // Upstream answers a type never set as a disabled policy with an empty id, not 404.
            ?? new Policy { OrganizationId = orgId, Type = (PolicyType)type };
        return Results.Json(OrganizationResponses.Policy(policy) with { CanToggleState = member.CanManagePolicies && CanEnable(policy.Type) is null },
            CofferJson.Options);
    }

    private static async Task<IResult> Put(Guid orgId, int type, PolicyRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var userId = principal.UserId();
        if (await MemberAccess.LoadAsync(db, userId, orgId, ct) is not { } member)
        {
            return OrganizationEndpoints.OrganizationNotFound();
        }

        if (!member.CanManagePolicies)
        {
            return BitwardenErrors.BadRequest("You do not have permission to manage the policies of this organization.");
        }

        if (!Enum.IsDefined((PolicyType)type))
        {
            return BitwardenErrors.BadRequest("Unknown policy type.", "type");
        }

        // The vnext body nests the same fields under "policy" (web vault VNextSavePolicyRequest); metadata is only
        // used upstream to name the members' "My items" collections, a feature Coffer does not have.
        var body = request.Policy ?? request;
        if (body.Enabled is not { } enabled)
        {
            return BitwardenErrors.BadRequest("enabled is required.", "enabled");
        }

        var data = OrganizationResponses.PolicyData(body.Data);
        if (data is { Length: > MaxDataLength })
        {
            return BitwardenErrors.BadRequest($"The policy's data may not exceed {MaxDataLength} characters.", "data");
        }

        var policyType = (PolicyType)type;
        var policies = await db.Policies.Where(p => p.OrganizationId == orgId).ToListAsync(ct);
        if (enabled && (CanEnable(policyType) ?? RequiredPolicy(policyType, policies)) is { } refused)
        {
            return BitwardenErrors.BadRequest(refused);
        }

        if (!enabled && DependentPolicy(policyType, policies) is { } dependent)
        {
            return BitwardenErrors.BadRequest(dependent);
        }

        var policy = policies.SingleOrDefault(p => p.Type == policyType);
        var wasEnabled = policy?.Enabled == true;
        if (policy is null)
        {
            policy = new Policy { Id = Guid.NewGuid(), OrganizationId = orgId, Type = policyType, CreationDate = changes.Now };
            db.Policies.Add(policy);
        }

        policy.Enabled = enabled;
        policy.Data = data;
        policy.RevisionDate = changes.Now;
        var revoked = enabled && !wasEnabled ? await PolicyEnforcement.ApplyAsync(db, changes, policy, ct) : [];
        changes.RecordOrganization(EventType.PolicyUpdated, orgId, policyId: policy.Id, detail: $"{policyType} {(enabled ? "enabled" : "disabled")}");

        // Sync carries policies[]: every member's revision date moves and their devices resync (doc §10).
        var members = await OrganizationMembers.ConfirmedUserIdsAsync(db, orgId, ct);
        foreach (var memberId in members.Except(revoked))
        {
            changes.Notify(PushType.SyncVault, memberId);
        }

        await changes.CommitAsync([.. members, .. revoked], ct);
        return Results.Json(OrganizationResponses.Policy(policy), CofferJson.Options);
    }

    /// <summary>Why a policy of this type cannot be turned on at all on this server, or null.</summary>
    private static string? CanEnable(PolicyType type) => type switch
    {
        PolicyType.RequireSso => "This server has no single sign-on, so the Require single sign-on policy cannot be turned on.",
        PolicyType.ResetPassword => "This server has no account recovery, so the Account recovery administration policy cannot be turned on.",
        _ => null,
    };

    // Upstream's policy dependencies (PolicyValidators' RequiredPolicies): these need Single organization on first.
    private static readonly PolicyType[] NeedSingleOrg = [PolicyType.RequireSso, PolicyType.MaximumVaultTimeout];

    private static string? RequiredPolicy(PolicyType type, List<Policy> policies) =>
        NeedSingleOrg.Contains(type) && !policies.Any(p => p.Type == PolicyType.SingleOrg && p.Enabled)
            ? "Turn on the Single organization policy before turning on this policy."
            : null;

    private static string? DependentPolicy(PolicyType type, List<Policy> policies) =>
        type == PolicyType.SingleOrg && policies.Any(p => NeedSingleOrg.Contains(p.Type) && p.Enabled)
            ? "Turn off the policies that require Single organization (Require single sign-on, Vault timeout) first."
            : null;
}
