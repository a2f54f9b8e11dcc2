using System.Security.Claims;
using Coffer.Protocol.Api;
using Coffer.Server.Accounts;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Hosting;
using Coffer.Server.Identity;
using Coffer.Server.Mail;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Organizations;

/// <summary>
/// Member routes, first half (<c>bitwarden-organizations.md</c> §0.1 rows 9–16, §4.1–§4.3): list, read, invite,
/// reinvite, accept and public keys. Confirm, edit, revoke, restore, remove and events are in
/// <see cref="MemberChangeEndpoints"/>. Member ids are always looked up with the route's organization id (P15); the
/// caller must be a Confirmed member (404 otherwise, T0, T2, T7) and hold the right (400 otherwise, P10).
/// </summary>
public static class MemberEndpoints
{
    // Upstream's OrganizationUserInviteRequestModel accepts at most 20 addresses per request.
    private const int MaxInviteEmails = 20;
    private const int MaxBulkIds = 500;

    public static void MapMembers(this IEndpointRouteBuilder api)
    {
        api.MapGet("/users/{userId:guid}/public-key", UserPublicKey).WithTags("Members").Produces<UserKeyResponseModel>()
            .WithSummary("Any account's public key, for wrapping an organization key (doc §2.4)");
        var users = api.MapGroup("/organizations/{orgId:guid}/users").WithTags("Members");
        users.MapGet("", List).Produces<ListResponseModel<OrganizationUserDetailsResponseModel>>();
        users.MapGet("/mini-details", MiniDetails).Produces<ListResponseModel<OrganizationUserMiniDetailsResponseModel>>();
        users.MapGet("/{memberId:guid}", Get).Produces<OrganizationUserDetailsResponseModel>();
        users.MapPost("/invite", Invite).Produces<ListResponseModel<OrganizationInvitationResponseModel>>()
            .WithSummary("Invite by e-mail: mailed the invitation link when mail is on; without mail an existing account is Accepted at once. The answer carries each invitation link");
        users.MapPost("/reinvite", ReinviteMany).Produces<ListResponseModel<OrganizationUserBulkResponseModel>>();
        users.MapPost("/{memberId:guid}/reinvite", Reinvite).Produces<OrganizationInvitationResponseModel>();
        users.MapPost("/{memberId:guid}/accept", Accept).WithSummary("Accept an invitation with the token of its link");
        users.MapPost("/public-keys", PublicKeys).Produces<ListResponseModel<OrganizationUserPublicKeyResponseModel>>();
        MemberChangeEndpoints.Map(users);
        api.MapGet("/organizations/{orgId:guid}/events", MemberChangeEndpoints.OrganizationEvents).WithTags("Events")
            .Produces<ListResponseModel<EventResponseModel>>().WithSummary("The organization's events (Owners, Admins, Custom with accessEventLogs)");
    }

    internal static IResult MemberNotFound() => BitwardenErrors.NotFound("User not found.");

    internal static IResult CannotManageUsers() => BitwardenErrors.BadRequest("You don't have permission to manage users of this organization.");

    /// <summary>The caller's Confirmed membership if it may manage users; else the 404 or 400 to answer.</summary>
    internal static async Task<(MemberAccess? Caller, IResult? Refusal)> UserManagerAsync(CofferDb db, ClaimsPrincipal principal, Guid orgId, CancellationToken ct)
    {
        var caller = await MemberAccess.LoadAsync(db, principal.UserId(), orgId, ct);
        return caller is null ? (null, OrganizationEndpoints.OrganizationNotFound())
            : !caller.CanManageUsers ? (null, CannotManageUsers())
            : (caller, null);
    }

    /// <summary>For routes on one member: the caller (who may manage users) and the member, looked up with the route's organization id (P15).</summary>
    internal static async Task<(MemberAccess? Caller, Membership? Target, IResult? Refusal)> TargetAsync(CofferDb db, ClaimsPrincipal principal, Guid orgId, Guid memberId, CancellationToken ct)
    {
        var (caller, refusal) = await UserManagerAsync(db, principal, orgId, ct);
        if (refusal is not null)
        {
            return (null, null, refusal);
        }

        var target = await db.Memberships.SingleOrDefaultAsync(m => m.Id == memberId && m.OrganizationId == orgId, ct);
        return target is null ? (null, null, MemberNotFound()) : (caller, target, null);
    }

    private static async Task<IResult> UserPublicKey(Guid userId, CofferDb db, CancellationToken ct)
    {
        // Any signed-in user may read any public key, as upstream: confirming needs it before any shared membership.
        var publicKey = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.PublicKey).SingleOrDefaultAsync(ct);
        return publicKey is null ? BitwardenErrors.NotFound("User not found.") : Results.Json(new UserKeyResponseModel { UserId = userId, PublicKey = publicKey }, CofferJson.Options);
    }

    /// <summary>
    /// <c>GET …/users[?includeCollections=true&amp;includeGroups=true]</c> (doc §4.1): Owners, Admins and Custom members
    /// with <c>manageUsers</c> (upstream's ManageUsersRequirement). Every status is listed; names once accepted.
    /// </summary>
    private static async Task<IResult> List(Guid orgId, bool? includeCollections, bool? includeGroups, ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        var (_, refusal) = await UserManagerAsync(db, principal, orgId, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var details = await DetailsAsync(db, orgId, null, includeCollections == true, includeGroups == true, ct);
        return Results.Json(new ListResponseModel<OrganizationUserDetailsResponseModel> { Data = details }, CofferJson.Options);
    }

    private static async Task<IResult> Get(Guid orgId, Guid memberId, ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        var (_, refusal) = await UserManagerAsync(db, principal, orgId, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        // Collections always: bw confirm reads status and userId, the web vault's member dialog the access rows.
        var details = await DetailsAsync(db, orgId, memberId, includeCollections: true, includeGroups: true, ct);
        return details.Count == 0 ? MemberNotFound() : Results.Json(details[0], CofferJson.Options);
    }

    /// <summary><c>GET …/users/mini-details</c> (doc §4.1): any Confirmed member (the web vault's collection dialogs).</summary>
    private static async Task<IResult> MiniDetails(Guid orgId, ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        if (await MemberAccess.LoadAsync(db, principal.UserId(), orgId, ct) is null)
        {
            return OrganizationEndpoints.OrganizationNotFound();
        }

        var rows = await MembersWithAccountsAsync(db, orgId, null, ct);
        var data = rows.ConvertAll(r => new OrganizationUserMiniDetailsResponseModel
        {
            Id = r.Membership.Id,
            UserId = r.Membership.UserId,
            Type = (int)r.Membership.Type,
            Status = (int)r.Membership.Status,
            Name = r.Name,
            Email = r.Email ?? r.Membership.Email,
        });
        return Results.Json(new ListResponseModel<OrganizationUserMiniDetailsResponseModel> { Data = data }, CofferJson.Options);
    }

    private sealed record MemberRow(Membership Membership, string? Name, string? Email, bool TwoFactorEnabled);

    private static async Task<List<MemberRow>> MembersWithAccountsAsync(CofferDb db, Guid orgId, Guid? memberId, CancellationToken ct)
    {
        var query = db.Memberships.AsNoTracking().Where(m => m.OrganizationId == orgId && (memberId == null || m.Id == memberId));
        var rows = await (
                from membership in query
                join user in db.Users on membership.UserId equals user.Id into users
                from user in users.DefaultIfEmpty()
                orderby membership.Email
                select new
                {
                    membership,
                    Name = user == null ? null : user.Name,
                    Email = user == null ? null : user.Email,
                    TwoFactor = user != null && (user.TotpSecret != null || user.TwoFactorEmail != null
                    || db.WebAuthnCredentials.Any(c => c.UserId == user.Id && c.Kind == TwoFactor.WebAuthnCredentialKind.SecurityKey))
                })
            .ToListAsync(ct);
        return rows.ConvertAll(r => new MemberRow(r.membership, r.Name, r.Email, r.TwoFactor));
    }

    internal static async Task<List<OrganizationUserDetailsResponseModel>> DetailsAsync(CofferDb db, Guid orgId, Guid? memberId, bool includeCollections, bool includeGroups, CancellationToken ct)
    {
        var rows = await MembersWithAccountsAsync(db, orgId, memberId, ct);
        var ids = rows.ConvertAll(r => r.Membership.Id);
        var collections = includeCollections
            ? (await db.CollectionMembers.AsNoTracking().Where(a => ids.Contains(a.MembershipId)).ToListAsync(ct)).ToLookup(a => a.MembershipId)
            : Array.Empty<CollectionMember>().ToLookup(a => a.MembershipId);
        var groups = includeGroups
            ? (await db.GroupMembers.AsNoTracking().Where(g => ids.Contains(g.MembershipId)).ToListAsync(ct)).ToLookup(g => g.MembershipId, g => g.GroupId)
            : Array.Empty<GroupMember>().ToLookup(g => g.MembershipId, g => g.GroupId);
        return rows.ConvertAll(r => new OrganizationUserDetailsResponseModel
        {
            Id = r.Membership.Id,
            UserId = r.Membership.UserId,
            // Vaultwarden hides the name until the member has accepted (doc §4.1).
            Name = r.Membership.Status is MembershipStatus.Invited ? null : r.Name,
            Email = r.Email ?? r.Membership.Email,
            ExternalId = r.Membership.ExternalId,
            Status = (int)r.Membership.Status,
            Type = (int)r.Membership.Type,
            TwoFactorEnabled = r.TwoFactorEnabled,
            Permissions = r.Membership.Type == MembershipType.Custom ? MemberAccess.ReadPermissions(r.Membership) : null,
            Collections = [.. collections[r.Membership.Id].Select(a => new SelectionReadOnlyResponseModel { Id = a.CollectionId, ReadOnly = a.ReadOnly, HidePasswords = a.HidePasswords, Manage = a.Manage })],
            Groups = [.. groups[r.Membership.Id]],
        });
    }

    /// <summary>
    /// <c>POST …/users/invite</c> (doc §4.2). Owners alone invite Owners and Admins; every collection and group id must
    /// belong to this organization (T8); an address already in it is refused. With mail (<see cref="Mailer.Enabled"/>)
    /// every address is Invited and mailed its invitation link (template <c>org-invite</c>), which an existing account
    /// follows to accept (§4.3). Without mail, as Vaultwarden with SMTP off, an existing account is Accepted at once (an
    /// admin then confirms it) and an unknown address stays Invited until it registers. Either way the answer gives each
    /// address its invitation link.
    /// </summary>
    private static async Task<IResult> Invite(
        Guid orgId, OrganizationUserInviteRequestModel request, HttpRequest http, ClaimsPrincipal principal, CofferDb db, TokenService tokens, Mailer mailer, Changes changes, CancellationToken ct)
    {
        var (caller, refusal) = await UserManagerAsync(db, principal, orgId, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        if (request.Type is not { } rawType || !Enum.IsDefined((MembershipType)rawType))
        {
            return BitwardenErrors.BadRequest("type must be 0 (Owner), 1 (Admin), 2 (User) or 4 (Custom).", "type");
        }

        var type = (MembershipType)rawType;
        if (!caller!.CanManageMemberOfType(type))
        {
            return BitwardenErrors.BadRequest("Only owners can invite owners and admins.", "type");
        }

        if (request.Emails is not { Count: > 0 and <= MaxInviteEmails } rawEmails)
        {
            return BitwardenErrors.BadRequest($"emails must list 1 to {MaxInviteEmails} addresses.", "emails");
        }

        var emails = new List<string>();
        foreach (var raw in rawEmails)
        {
            if (RegistrationEndpoints.NormalizeEmail(raw) is not { } email)
            {
                return BitwardenErrors.BadRequest("Every address must be a valid e-mail address.", "emails");
            }

            if (!emails.Contains(email))
            {
                emails.Add(email);
            }
        }

        if (await MemberAssignments.CheckAsync(db, caller, null, type == MembershipType.Custom ? request.Permissions : null, request.Collections, request.Groups, ct) is { } invalid)
        {
            return invalid;
        }

        var accounts = await db.Users.AsNoTracking().Where(u => emails.Contains(u.Email)).Select(u => new { u.Id, u.Email }).ToListAsync(ct);
        var accountIds = accounts.ConvertAll(a => (Guid?)a.Id);
        if (await db.Memberships.AnyAsync(m => m.OrganizationId == orgId && (emails.Contains(m.Email) || accountIds.Contains(m.UserId)), ct))
        {
            return BitwardenErrors.BadRequest("User already in organization.", "emails");
        }

        var organization = await db.Organizations.AsNoTracking().SingleAsync(o => o.Id == orgId, ct);
        var inviter = await InviterAsync(db, caller, ct);
        var now = changes.Now;
        var invitations = new List<OrganizationInvitationResponseModel>();
        foreach (var email in emails)
        {
            var account = accounts.Find(a => a.Email == email);
            var membership = new Membership
            {
                Id = Guid.NewGuid(),
                OrganizationId = orgId,
                UserId = mailer.Enabled ? null : account?.Id,
                Email = email,
                Status = account is null || mailer.Enabled ? MembershipStatus.Invited : MembershipStatus.Accepted,
                Type = type,
                Permissions = MemberAccess.WritePermissions(type, request.Permissions),
                InvitedByEmail = inviter,
                CreationDate = now,
                RevisionDate = now,
            };
            db.Memberships.Add(membership);
            MemberAssignments.Add(db, membership.Id, request.Collections, request.Groups);
            changes.RecordOrganization(EventType.MemberInvited, orgId, account?.Id, membershipId: membership.Id);
            var invitation = Invitation(http, tokens, now, organization, membership, account is not null);
            MailInvitation(mailer, organization, invitation, inviter);
            invitations.Add(invitation);
        }

        await changes.CommitAsync(ct: ct);
        return Results.Json(new ListResponseModel<OrganizationInvitationResponseModel> { Data = invitations }, CofferJson.Options);
    }

    private static OrganizationInvitationResponseModel Invitation(HttpRequest http, TokenService tokens, DateTime now, Organization organization, Membership membership, bool existingUser)
    {
        var token = OrganizationInvitations.CreateToken(tokens, new DateTimeOffset(now, TimeSpan.Zero), membership);
        return new OrganizationInvitationResponseModel
        {
            Id = membership.Id,
            Email = membership.Email,
            Status = (int)membership.Status,
            InvitationUrl = OrganizationInvitations.Link(PublicUrl.Origin(http), organization, membership, token, existingUser),
        };
    }

    /// <summary>
    /// The invitation mail (template <c>org-invite</c>) to the invited address, with the link the web vault opens; it
    /// names the organization and who invited, nothing of its contents. Does nothing without mail.
    /// </summary>
    private static void MailInvitation(Mailer mailer, Organization organization, OrganizationInvitationResponseModel invitation, string? inviter) =>
        mailer.Queue(invitation.Email, "org-invite", new Dictionary<string, string?>
        {
            ["organization_name"] = organization.Name,
            ["inviter"] = inviter,
            ["link"] = invitation.InvitationUrl,
            ["expiry_days"] = ((int)OrganizationInvitations.Lifetime.TotalDays).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    /// <summary>
    /// <c>POST …/users/{memberId}/reinvite</c>: a fresh link for an Invited member, mailed when mail is on. Without mail
    /// an address that has registered since is Accepted now, as Vaultwarden does with SMTP off.
    /// </summary>
    private static async Task<IResult> Reinvite(
        Guid orgId, Guid memberId, HttpRequest http, ClaimsPrincipal principal, CofferDb db, TokenService tokens, Mailer mailer, Changes changes, CancellationToken ct)
    {
        var (caller, membership, refusal) = await TargetAsync(db, principal, orgId, memberId, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        if (await ReinviteOneAsync(db, caller!, membership!, mailer.Enabled, ct) is { } error)
        {
            return BitwardenErrors.BadRequest(error);
        }

        var organization = await db.Organizations.AsNoTracking().SingleAsync(o => o.Id == orgId, ct);
        var invitation = Invitation(http, tokens, changes.Now, organization, membership!, await HasAccountAsync(db, membership!, ct));
        MailInvitation(mailer, organization, invitation, await InviterAsync(db, caller!, ct));
        changes.RecordOrganization(EventType.MemberInvited, orgId, membership!.UserId, membershipId: membership.Id, detail: "reinvited");
        await changes.CommitAsync(ct: ct);
        return Results.Json(invitation, CofferJson.Options);
    }

    /// <summary><c>POST …/users/reinvite</c> <c>{ids}</c>: per-member results; the links are mailed when mail is on, else they come from the single route.</summary>
    private static async Task<IResult> ReinviteMany(
        Guid orgId, OrganizationUserBulkRequestModel request, HttpRequest http, ClaimsPrincipal principal, CofferDb db, TokenService tokens, Mailer mailer, Changes changes, CancellationToken ct)
    {
        var (caller, refusal) = await UserManagerAsync(db, principal, orgId, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        if (BulkIds(request) is not { } ids)
        {
            return BulkIdsRequired();
        }

        var members = await db.Memberships.Where(m => ids.Contains(m.Id) && m.OrganizationId == orgId).ToDictionaryAsync(m => m.Id, ct);
        var results = new List<OrganizationUserBulkResponseModel>();
        Organization? organization = null;
        string? inviter = null;
        foreach (var id in ids)
        {
            var error = members.TryGetValue(id, out var membership) ? await ReinviteOneAsync(db, caller!, membership, mailer.Enabled, ct) : "User not found.";
            if (error is null)
            {
                changes.RecordOrganization(EventType.MemberInvited, orgId, membership!.UserId, membershipId: id, detail: "reinvited");
                if (mailer.Enabled)
                {
                    organization ??= await db.Organizations.AsNoTracking().SingleAsync(o => o.Id == orgId, ct);
                    inviter ??= await InviterAsync(db, caller!, ct);
                    MailInvitation(mailer, organization, Invitation(http, tokens, changes.Now, organization, membership, await HasAccountAsync(db, membership, ct)), inviter);
                }
            }

            results.Add(new OrganizationUserBulkResponseModel { Id = id, Error = error ?? "" });
        }

        await changes.CommitAsync(ct: ct);
        return Results.Json(new ListResponseModel<OrganizationUserBulkResponseModel> { Data = results }, CofferJson.Options);
    }

    private static Task<bool> HasAccountAsync(CofferDb db, Membership membership, CancellationToken ct) =>
        membership.UserId is not null ? Task.FromResult(true) : db.Users.AnyAsync(u => u.Email == membership.Email, ct);

    private static Task<string> InviterAsync(CofferDb db, MemberAccess caller, CancellationToken ct) =>
        db.Users.AsNoTracking().Where(u => u.Id == caller.Membership.UserId).Select(u => u.Email).SingleAsync(ct);

    /// <summary>Checks that <paramref name="membership"/> may be invited again; without mail, accepts it for an account registered since.</summary>
    private static async Task<string?> ReinviteOneAsync(CofferDb db, MemberAccess caller, Membership membership, bool mailEnabled, CancellationToken ct)
    {
        if (!caller.CanManageMember(membership))
        {
            return "Only owners can invite owners and admins.";
        }

        if (membership.Status != MembershipStatus.Invited)
        {
            return "User already accepted the invitation.";
        }

        if (!mailEnabled
            && await db.Users.AsNoTracking().Where(u => u.Email == membership.Email).Select(u => (Guid?)u.Id).SingleOrDefaultAsync(ct) is { } accountId
            && !await db.Memberships.AnyAsync(m => m.OrganizationId == membership.OrganizationId && m.UserId == accountId, ct))
        {
            membership.UserId = accountId;
            membership.Status = MembershipStatus.Accepted;
        }

        return null;
    }

    /// <summary>
    /// <c>POST …/users/{memberId}/accept</c> <c>{token}</c> (doc §4.3), as the invitee: the token must be untampered and
    /// unexpired, name this organization and member, and be for the caller's e-mail; the membership must be Invited.
    /// A membership Coffer already accepted for the caller (the address had an account, or registered) answers 200, so
    /// the web vault's link still works without an e-mail transport.
    /// </summary>
    private static async Task<IResult> Accept(Guid orgId, Guid memberId, OrganizationUserAcceptRequestModel request, ClaimsPrincipal principal, CofferDb db, TokenService tokens, Changes changes, TimeProvider time, CancellationToken ct)
    {
        var userId = principal.UserId();
        var membership = await db.Memberships.SingleOrDefaultAsync(m => m.Id == memberId && m.OrganizationId == orgId, ct);
        if (membership is null)
        {
            return MemberNotFound();
        }

        if (OrganizationInvitations.Read(tokens, time.GetUtcNow(), request.Token) is not { } claims)
        {
            return BitwardenErrors.BadRequest("The invitation token is invalid or has expired.", "token");
        }

        if (claims.OrganizationId != orgId || claims.MembershipId != memberId || claims.Email != membership.Email)
        {
            return BitwardenErrors.BadRequest("The invitation token is for another invitation.", "token");
        }

        var email = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.Email).SingleAsync(ct);
        if (claims.Email != email)
        {
            return BitwardenErrors.BadRequest("Invitation was issued to a different account. Please log in with the e-mail address that received it.");
        }

        if (membership.Status == MembershipStatus.Accepted && membership.UserId == userId)
        {
            return Results.Ok();
        }

        if (membership.Status != MembershipStatus.Invited)
        {
            return BitwardenErrors.BadRequest("The invitation was already accepted.");
        }

        if (await db.Memberships.AnyAsync(m => m.OrganizationId == orgId && m.UserId == userId, ct))
        {
            return BitwardenErrors.BadRequest("You are already a member of this organization.");
        }

        if (await PolicyEnforcement.CheckJoinAsync(db, userId, orgId, membership.Type, ct) is { } refused)
        {
            return BitwardenErrors.BadRequest(refused);
        }

        membership.UserId = userId;
        membership.Status = MembershipStatus.Accepted;
        membership.RevisionDate = changes.Now;
        await changes.CommitAsync(ct: ct);
        return Results.Ok();
    }

    /// <summary><c>POST …/users/public-keys</c> <c>{ids}</c> (doc §4.4): the public keys of members with an account, for bulk confirm.</summary>
    private static async Task<IResult> PublicKeys(Guid orgId, OrganizationUserBulkRequestModel request, ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        var (_, refusal) = await UserManagerAsync(db, principal, orgId, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        if (BulkIds(request) is not { } ids)
        {
            return BulkIdsRequired();
        }

        var data = await (
                from membership in db.Memberships
                join user in db.Users on membership.UserId equals user.Id
                where ids.Contains(membership.Id) && membership.OrganizationId == orgId
                select new OrganizationUserPublicKeyResponseModel { Id = membership.Id, UserId = user.Id, Key = user.PublicKey })
            .AsNoTracking().ToListAsync(ct);
        return Results.Json(new ListResponseModel<OrganizationUserPublicKeyResponseModel> { Data = data }, CofferJson.Options);
    }

    /// <summary>The distinct ids of a bulk body, or null when missing, empty or too many.</summary>
    internal static List<Guid>? BulkIds(OrganizationUserBulkRequestModel request) =>
        request.Ids is { Count: > 0 and <= MaxBulkIds } ids ? [.. ids.Distinct()] : null;

    internal static IResult BulkIdsRequired() => BitwardenErrors.BadRequest($"ids must list 1 to {MaxBulkIds} member ids.", "ids");
}
