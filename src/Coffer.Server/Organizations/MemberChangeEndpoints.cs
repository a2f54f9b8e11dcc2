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
/// Member routes, second half (<c>bitwarden-organizations.md</c> §0.1 rows 17–21, §4.4, §4.5, §6.5): confirm, edit,
/// revoke, restore, remove (single and bulk) and the organization's events. Owners alone act on Owners and Admins;
/// the organization always keeps one Confirmed Owner (§9.5). The member concerned is told to resync its organization
/// keys (<c>SyncOrgKeys</c>, doc §10) and its revision date moves. A removed or revoked member no longer counts among
/// the Confirmed members that organization-wide notifications are computed from (OrganizationMembers).
/// </summary>
public static class MemberChangeEndpoints
{
    internal static void Map(RouteGroupBuilder users)
    {
        users.MapPost("/{memberId:guid}/confirm", Confirm).WithSummary("Store the organization key wrapped for an Accepted member");
        users.MapPost("/confirm", ConfirmMany).Produces<ListResponseModel<OrganizationUserBulkResponseModel>>();
        users.MapPut("/{memberId:guid}", Update).WithSummary("Type, permissions, collections and groups (replaced)");
        users.MapPost("/{memberId:guid}", Update).WithSummary("Alias of PUT");
        users.MapPut("/{memberId:guid}/revoke", (Guid orgId, Guid memberId, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct) =>
            One(orgId, memberId, principal, db, changes, RevokeAsync, ct));
        users.MapPut("/{memberId:guid}/restore", (Guid orgId, Guid memberId, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct) =>
            One(orgId, memberId, principal, db, changes, RestoreAsync, ct));
        users.MapDelete("/{memberId:guid}", (Guid orgId, Guid memberId, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct) =>
            One(orgId, memberId, principal, db, changes, RemoveAsync, ct));
        users.MapPost("/{memberId:guid}/delete", (Guid orgId, Guid memberId, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct) =>
            One(orgId, memberId, principal, db, changes, RemoveAsync, ct)).WithSummary("Alias of DELETE");
        users.MapPut("/revoke", (Guid orgId, OrganizationUserBulkRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct) =>
            Many(orgId, request, principal, db, changes, RevokeAsync, ct)).Produces<ListResponseModel<OrganizationUserBulkResponseModel>>();
        users.MapPut("/restore", (Guid orgId, OrganizationUserBulkRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct) =>
            Many(orgId, request, principal, db, changes, RestoreAsync, ct)).Produces<ListResponseModel<OrganizationUserBulkResponseModel>>();
        users.MapDelete("", (Guid orgId, [FromBody] OrganizationUserBulkRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct) =>
            Many(orgId, request, principal, db, changes, RemoveAsync, ct)).Produces<ListResponseModel<OrganizationUserBulkResponseModel>>();
        users.MapPost("/delete", (Guid orgId, OrganizationUserBulkRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct) =>
            Many(orgId, request, principal, db, changes, RemoveAsync, ct)).Produces<ListResponseModel<OrganizationUserBulkResponseModel>>().WithSummary("Alias of bulk DELETE");
        users.MapGet("/{memberId:guid}/events", MemberEvents).WithTags("Events").Produces<ListResponseModel<EventResponseModel>>();
    }

    /// <summary>One member change: checks the caller may act on <c>target</c>, applies it, and returns the refusal or null.</summary>
    private delegate Task<string?> MemberChange(CofferDb db, Changes changes, MemberAccess caller, Membership target, CancellationToken ct);

    private static async Task<IResult> One(Guid orgId, Guid memberId, ClaimsPrincipal principal, CofferDb db, Changes changes, MemberChange change, CancellationToken ct)
    {
        var (caller, target, refusal) = await MemberEndpoints.TargetAsync(db, principal, orgId, memberId, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        if (await change(db, changes, caller!, target!, ct) is { } error)
        {
            return BitwardenErrors.BadRequest(error);
        }

        await changes.CommitAsync(target!.UserId is { } id ? [id] : [], ct);
        return Results.Ok();
    }

    /// <summary>A bulk change (<c>{ids}</c>): one result per id, "User not found." for an id of another organization; one commit.</summary>
    private static async Task<IResult> Many(Guid orgId, OrganizationUserBulkRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, MemberChange change, CancellationToken ct)
    {
        var (caller, refusal) = await MemberEndpoints.UserManagerAsync(db, principal, orgId, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        if (MemberEndpoints.BulkIds(request) is not { } ids)
        {
            return MemberEndpoints.BulkIdsRequired();
        }

        var targets = await db.Memberships.Where(m => ids.Contains(m.Id) && m.OrganizationId == orgId).ToDictionaryAsync(m => m.Id, ct);
        var results = new List<OrganizationUserBulkResponseModel>();
        var affected = new List<Guid>();
        foreach (var id in ids)
        {
            var error = targets.TryGetValue(id, out var target) ? await change(db, changes, caller!, target, ct) : "User not found.";
            if (error is null && target!.UserId is { } userId)
            {
                affected.Add(userId);
            }

            results.Add(new OrganizationUserBulkResponseModel { Id = id, Error = error ?? "" });
        }

        await changes.CommitAsync(affected, ct);
        return Results.Json(new ListResponseModel<OrganizationUserBulkResponseModel> { Data = results }, CofferJson.Options);
    }

    /// <summary>Revoke (doc §4.5): not oneself, Owners only for Owners and Admins, never the last Confirmed Owner.</summary>
    private static async Task<string?> RevokeAsync(CofferDb db, Changes changes, MemberAccess caller, Membership target, CancellationToken ct)
    {
        if (target.UserId == caller.Membership.UserId)
        {
            return "You cannot revoke yourself.";
        }

        if (!caller.CanManageMember(target))
        {
            return "Only owners can revoke owners and admins.";
        }

        if (target.Status == MembershipStatus.Revoked)
        {
            return "Already revoked.";
        }

        if (await OrganizationMembers.IsLastConfirmedOwnerAsync(db, target, ct))
        {
            return OrganizationMembers.LastOwnerMessage;
        }

        target.StatusBeforeRevoke = target.Status;
        target.Status = MembershipStatus.Revoked;
        Changed(changes, target, EventType.MemberRevoked);
        return null;
    }

    /// <summary>Restore (doc §4.5): back to the status the member had when revoked (its key kept), by the same rules.</summary>
    private static Task<string?> RestoreAsync(CofferDb db, Changes changes, MemberAccess caller, Membership target, CancellationToken ct)
    {
        if (target.UserId == caller.Membership.UserId)
        {
            return Task.FromResult<string?>("You cannot restore yourself.");
        }

        if (!caller.CanManageMember(target))
        {
            return Task.FromResult<string?>("Only owners can restore owners and admins.");
        }

        if (target.Status != MembershipStatus.Revoked)
        {
            return Task.FromResult<string?>("Already active.");
        }

        // Rows revoked before StatusBeforeRevoke existed: derived as upstream does (doc §1.2).
        target.Status = target.StatusBeforeRevoke
            ?? (target.Key is not null ? MembershipStatus.Confirmed : target.UserId is not null ? MembershipStatus.Accepted : MembershipStatus.Invited);
        target.StatusBeforeRevoke = null;
        Changed(changes, target, EventType.MemberRestored);
        return Task.FromResult<string?>(null);
    }

    /// <summary>Remove (doc §4.5): not oneself (that is leave), Owners only for Owners and Admins, never the last Confirmed Owner. Items stay.</summary>
    private static async Task<string?> RemoveAsync(CofferDb db, Changes changes, MemberAccess caller, Membership target, CancellationToken ct)
    {
        if (target.UserId == caller.Membership.UserId)
        {
            return "You cannot remove yourself; leave the organization instead.";
        }

        if (!caller.CanManageMember(target))
        {
            return "Only owners can remove owners and admins.";
        }

        if (await OrganizationMembers.IsLastConfirmedOwnerAsync(db, target, ct))
        {
            return OrganizationMembers.LastOwnerMessage;
        }

        // Its collection and group rows go with it (ON DELETE CASCADE).
        db.Memberships.Remove(target);
        Changed(changes, target, EventType.MemberRemoved);
        return null;
    }

    /// <summary>Confirm (doc §4.4): an Accepted member, a type-4 key, Owners only for Owners and Admins.</summary>
    private static string? ConfirmOne(Changes changes, MemberAccess caller, Membership target, string? key)
    {
        if (!caller.CanManageMember(target))
        {
            return "Only owners can confirm owners and admins.";
        }

        if (target.Status != MembershipStatus.Accepted || target.UserId is null)
        {
            return "User in invalid state";
        }

        if (key is null || !OrganizationEndpoints.WrappedKey().IsMatch(key))
        {
            return "key must be the organization key wrapped with the member's public key (an EncString of type 4).";
        }

        target.Key = key;
        target.Status = MembershipStatus.Confirmed;
        Changed(changes, target, EventType.MemberConfirmed);
        return null;
    }

    private static async Task<IResult> Confirm(Guid orgId, Guid memberId, OrganizationUserConfirmRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct) =>
        await One(orgId, memberId, principal, db, changes, (_, c, caller, target, _) => Task.FromResult(ConfirmOne(c, caller, target, request.Key)), ct);

    private static async Task<IResult> ConfirmMany(Guid orgId, OrganizationUserBulkConfirmRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var keys = new Dictionary<Guid, string?>();
        foreach (var entry in request.Keys ?? [])
        {
            keys[entry.Id] = entry.Key;
        }

        return await Many(orgId, new OrganizationUserBulkRequestModel { Ids = [.. keys.Keys] }, principal, db, changes,
            (_, c, caller, target, _) => Task.FromResult(ConfirmOne(c, caller, target, keys[target.Id])), ct);
    }

    /// <summary>
    /// <c>PUT …/users/{memberId}</c> (doc §4.5): type, permissions, and the collection and group lists (each replaced
    /// when sent, kept when null, pitfall P16). Owners alone edit Owners and Admins or grant those types; the last
    /// Confirmed Owner keeps its type. Every collection and group id must be of this organization (T8).
    /// </summary>
    private static async Task<IResult> Update(Guid orgId, Guid memberId, OrganizationUserUpdateRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var (caller, found, refusal) = await MemberEndpoints.TargetAsync(db, principal, orgId, memberId, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var target = found!;
        if (request.Type is not { } rawType || !Enum.IsDefined((MembershipType)rawType))
        {
            return BitwardenErrors.BadRequest("type must be 0 (Owner), 1 (Admin), 2 (User) or 4 (Custom).", "type");
        }

        var type = (MembershipType)rawType;
        if (!caller!.CanManageMember(target) || !caller.CanManageMemberOfType(type))
        {
            return BitwardenErrors.BadRequest("Only owners can edit owners and admins, or make a member an owner or admin.", "type");
        }

        if (type != MembershipType.Owner && await OrganizationMembers.IsLastConfirmedOwnerAsync(db, target, ct))
        {
            return BitwardenErrors.BadRequest(OrganizationMembers.LastOwnerMessage, "type");
        }

        if (await MemberAssignments.CheckAsync(db, orgId, request.Collections, request.Groups, ct) is { } invalid)
        {
            return invalid;
        }

        target.Type = type;
        target.Permissions = MemberAccess.WritePermissions(type, request.Permissions);
        await MemberAssignments.ReplaceAsync(db, memberId, request.Collections, request.Groups, ct);
        Changed(changes, target, EventType.MemberUpdated);
        await changes.CommitAsync(target.UserId is { } id ? [id] : [], ct);
        return Results.Ok();
    }

    /// <summary>Records the event and tells the member's devices to resync organization keys (doc §10).</summary>
    private static void Changed(Changes changes, Membership target, EventType type)
    {
        target.RevisionDate = changes.Now;
        changes.RecordOrganization(type, target.OrganizationId, target.UserId, membershipId: target.Id);
        if (target.UserId is { } userId)
        {
            changes.Notify(PushType.SyncOrgKeys, userId, excludeActingDevice: false);
        }
    }

    /// <summary><c>GET /api/organizations/{orgId}/events</c> (doc §6.5): Owners, Admins and Custom members with <c>accessEventLogs</c>.</summary>
    internal static async Task<IResult> OrganizationEvents(Guid orgId, string? start, string? end, string? continuationToken, ClaimsPrincipal principal, CofferDb db, TimeProvider time, CancellationToken ct)
    {
        if (await EventReaderAsync(db, principal, orgId, ct) is { } refusal)
        {
            return refusal;
        }

        return await EventEndpoints.Page(db.AuditEvents.AsNoTracking().Where(e => e.OrganizationId == orgId), start, end, continuationToken, time, ct);
    }

    /// <summary><c>GET …/users/{memberId}/events</c>: the organization's events about, or by, that member.</summary>
    private static async Task<IResult> MemberEvents(Guid orgId, Guid memberId, string? start, string? end, string? continuationToken, ClaimsPrincipal principal, CofferDb db, TimeProvider time, CancellationToken ct)
    {
        if (await EventReaderAsync(db, principal, orgId, ct) is { } refusal)
        {
            return refusal;
        }

        var member = await db.Memberships.AsNoTracking().Where(m => m.Id == memberId && m.OrganizationId == orgId).Select(m => new { m.UserId }).SingleOrDefaultAsync(ct);
        if (member is null)
        {
            return MemberEndpoints.MemberNotFound();
        }

        var userId = member.UserId;
        var events = db.AuditEvents.AsNoTracking()
            .Where(e => e.OrganizationId == orgId && (e.MembershipId == memberId || (userId != null && e.ActingUserId == userId)));
        return await EventEndpoints.Page(events, start, end, continuationToken, time, ct);
    }

    private static async Task<IResult?> EventReaderAsync(CofferDb db, ClaimsPrincipal principal, Guid orgId, CancellationToken ct)
    {
        var caller = await MemberAccess.LoadAsync(db, principal.UserId(), orgId, ct);
        return caller is null ? OrganizationEndpoints.OrganizationNotFound()
            : caller.CanAccessEventLogs ? null
            : BitwardenErrors.BadRequest("You don't have permission to read this organization's events.");
    }
}
