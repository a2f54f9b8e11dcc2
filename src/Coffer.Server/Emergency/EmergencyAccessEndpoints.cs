using System.Security.Claims;
using System.Text.Json;
using Coffer.Protocol.Api;
using Coffer.Server.Accounts;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Files;
using Coffer.Server.Identity;
using Coffer.Server.Mail;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Emergency;

/// <summary>
/// <c>/api/emergency-access…</c> (<c>bitwarden-sharing-features.md</c> §0.1 C, §4.5), first half: lists, read, update,
/// delete, invite, reinvite, accept and confirm. The recovery half (initiate … policies) is
/// <see cref="EmergencyRecoveryEndpoints"/>. Every grant is looked up with the caller's side in the same query
/// (<c>Id == id &amp;&amp; GrantorId == caller</c>, or <c>GranteeId</c>), so another grantor's grant, a random id and a
/// deleted grant all answer alike: 400 <c>Emergency Access not valid.</c> (upstream's text), never 403 or 404
/// (pitfall 26: a 403 logs the client out). With <c>Coffer:EmergencyAccess:Enabled</c> false every route answers 400.
/// </summary>
public static class EmergencyAccessEndpoints
{
    public const string NotValidMessage = "Emergency Access not valid.";
    public const string DisabledMessage = "Emergency access is not enabled.";

    // Upstream's request models: [Range(1, short.MaxValue)] on waitTimeDays, [StringLength(256)] on the e-mail.
    private const int MaxWaitTimeDays = short.MaxValue;
    private const int MaxKeyLength = 5000;

    public static void MapEmergencyAccess(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/emergency-access").WithTags("Emergency access").AddEndpointFilter<EnabledFilter>();
        group.MapGet("/trusted", Trusted).Produces<ListResponseModel<EmergencyAccessGranteeDetailsResponseModel>>()
            .WithSummary("The caller's grants as grantor: the trusted emergency contacts, every status");
        group.MapGet("/granted", Granted).Produces<ListResponseModel<EmergencyAccessGrantorDetailsResponseModel>>()
            .WithSummary("The caller's grants as grantee: the accounts that trust the caller");
        group.MapGet("/{id:guid}", Get).Produces<EmergencyAccessGranteeDetailsResponseModel>()
            .WithSummary("One grant, as its grantor");
        group.MapPut("/{id:guid}", Update).WithSummary("Change type and wait time (grantor); keyEncrypted replaces a stored key");
        group.MapPost("/{id:guid}", Update).WithSummary("Alias of PUT");
        group.MapDelete("/{id:guid}", Delete).WithSummary("Remove the grant (grantor or grantee)");
        group.MapPost("/{id:guid}/delete", Delete).WithSummary("Alias of DELETE");
        group.MapPost("/invite", Invite)
            .WithSummary("Invite a contact by e-mail (mailed link); without mail an existing account is Accepted at once");
        group.MapPost("/{id:guid}/reinvite", Reinvite).WithSummary("Mail the invitation again (grantor, status Invited)");
        group.MapPost("/{id:guid}/accept", Accept).WithSummary("Accept an invitation with the token of its link (the invited account)");
        group.MapPost("/{id:guid}/confirm", Confirm)
            .WithSummary("Store the grantor's user key encrypted to the grantee (grantor, status Accepted → Confirmed)");
        EmergencyRecoveryEndpoints.Map(group);
    }

    internal static IResult NotValid() => BitwardenErrors.BadRequest(NotValidMessage);

    /// <summary>The grant <paramref name="id"/> if the caller is its grantor, tracked.</summary>
    internal static Task<EmergencyAccessGrant?> AsGrantorAsync(CofferDb db, ClaimsPrincipal principal, Guid id, CancellationToken ct)
    {
        var userId = principal.UserId();
        return db.EmergencyAccessGrants.SingleOrDefaultAsync(g => g.Id == id && g.GrantorId == userId, ct);
    }

    /// <summary>The grant <paramref name="id"/> if the caller is its grantee, tracked.</summary>
    internal static Task<EmergencyAccessGrant?> AsGranteeAsync(CofferDb db, ClaimsPrincipal principal, Guid id, CancellationToken ct)
    {
        var userId = principal.UserId();
        return db.EmergencyAccessGrants.SingleOrDefaultAsync(g => g.Id == id && g.GranteeId == userId, ct);
    }

    /// <summary>The accounts whose revision date a change moves (§4.9): the grantor always, the grantee once there is one.</summary>
    internal static Guid[] Parties(EmergencyAccessGrant grant) =>
        grant.GranteeId is { } grantee ? [grant.GrantorId, grantee] : [grant.GrantorId];

    /// <summary>
    /// Commits a change to <paramref name="grant"/>, moving both parties' revision dates (§4.9). A grant another request
    /// changed or deleted meanwhile (Status is a concurrency token) answers <see cref="NotValid"/>.
    /// </summary>
    internal static async Task<IResult> CommitAsync(Changes changes, EmergencyAccessGrant grant, CancellationToken ct)
    {
        grant.RevisionDate = changes.Now;
        try
        {
            await changes.CommitAsync(Parties(grant), ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return NotValid();
        }

        return Results.Ok();
    }

    private static async Task<IResult> Trusted(ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        var userId = principal.UserId();
        var rows = await (
                from grant in db.EmergencyAccessGrants.AsNoTracking()
                where grant.GrantorId == userId
                join user in db.Users on grant.GranteeId equals user.Id into users
                from user in users.DefaultIfEmpty()
                orderby grant.CreationDate
                select new { grant, Name = user == null ? null : user.Name, Email = user == null ? null : user.Email })
            .ToListAsync(ct);
        var data = rows.ConvertAll(r => GranteeDetails(r.grant, r.Name, r.Email));
        return Results.Json(new ListResponseModel<EmergencyAccessGranteeDetailsResponseModel> { Data = data }, CofferJson.Options);
    }

    private static async Task<IResult> Granted(ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        var userId = principal.UserId();
        var rows = await (
                from grant in db.EmergencyAccessGrants.AsNoTracking()
                where grant.GranteeId == userId
                join user in db.Users on grant.GrantorId equals user.Id
                orderby grant.CreationDate
                select new { grant, user.Name, user.Email })
            .ToListAsync(ct);
        var data = rows.ConvertAll(r => new EmergencyAccessGrantorDetailsResponseModel
        {
            Id = r.grant.Id,
            Status = (int)r.grant.Status,
            Type = (int)r.grant.Type,
            WaitTimeDays = r.grant.WaitTimeDays,
            GrantorId = r.grant.GrantorId,
            Email = r.Email,
            Name = r.Name,
            CreationDate = r.grant.CreationDate,
        });
        return Results.Json(new ListResponseModel<EmergencyAccessGrantorDetailsResponseModel> { Data = data }, CofferJson.Options);
    }

    private static async Task<IResult> Get(Guid id, ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        if (await AsGrantorAsync(db, principal, id, ct) is not { } grant)
        {
            return NotValid();
        }

        var grantee = grant.GranteeId is { } granteeId ? await db.Users.AsNoTracking().SingleAsync(u => u.Id == granteeId, ct) : null;
        return Results.Json(GranteeDetails(grant, grantee?.Name, grantee?.Email), CofferJson.Options);
    }

    // The name stays hidden until the invitation is accepted, as organizations hide it (an address is not a consent).
    private static EmergencyAccessGranteeDetailsResponseModel GranteeDetails(EmergencyAccessGrant grant, string? name, string? email) => new()
    {
        Id = grant.Id,
        Status = (int)grant.Status,
        Type = (int)grant.Type,
        WaitTimeDays = grant.WaitTimeDays,
        GranteeId = grant.GranteeId,
        Email = email ?? grant.Email,
        Name = grant.GranteeId is null ? null : name,
        CreationDate = grant.CreationDate,
    };

    /// <summary>
    /// <c>PUT|POST …/{id}</c> (§4.5, E-7): the grantor alone (a grantee's call finds no grant). <c>keyEncrypted</c>
    /// replaces the stored key only when there is one: a grant the grantor has not confirmed gets no key this way.
    /// </summary>
    private static async Task<IResult> Update(Guid id, EmergencyAccessUpdateRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        if (await AsGrantorAsync(db, principal, id, ct) is not { } grant)
        {
            return NotValid();
        }

        if ((CheckType(request.Type, out var type) ?? CheckWaitTime(request.WaitTimeDays)) is { } invalid)
        {
            return invalid;
        }

        if (request.KeyEncrypted is { } key && grant.KeyEncrypted is not null)
        {
            if (!IsWrappedKey(key))
            {
                return BitwardenErrors.BadRequest("keyEncrypted must be an EncString.", "keyEncrypted");
            }

            grant.KeyEncrypted = key;
        }

        grant.Type = type;
        grant.WaitTimeDays = request.WaitTimeDays!.Value;
        return await CommitAsync(changes, grant, ct);
    }

    /// <summary><c>DELETE …/{id}</c>: either side may end a grant at any status; the other side's next list no longer shows it.</summary>
    private static async Task<IResult> Delete(Guid id, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        var userId = principal.UserId();
        var grant = await db.EmergencyAccessGrants.SingleOrDefaultAsync(g => g.Id == id && (g.GrantorId == userId || g.GranteeId == userId), ct);
        if (grant is null)
        {
            return NotValid();
        }

        db.EmergencyAccessGrants.Remove(grant);
        return await CommitAsync(changes, grant, ct);
    }

    /// <summary>
    /// <c>POST …/invite</c> (§4.5, E-9, E-10). With mail the grant stays Invited and the address gets the link. Without
    /// mail, as organizations do (issue 14 item 5), an existing account is Accepted at once (the grantor still confirms
    /// it after checking the fingerprint phrase) and an unknown address stays Invited until an account registers with it.
    /// </summary>
    private static async Task<IResult> Invite(EmergencyAccessInviteRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes, Mailer mailer,
        ScopedTokens tokens, IOptions<ServerOptions> options, CancellationToken ct)
    {
        if (RegistrationEndpoints.NormalizeEmail(request.Email) is not { } email)
        {
            return BitwardenErrors.BadRequest("The Email field is not a supported e-mail address format.", "email");
        }

        if ((CheckType(request.Type, out var type) ?? CheckWaitTime(request.WaitTimeDays)) is { } invalid)
        {
            return invalid;
        }

        var grantor = await db.Users.AsNoTracking().SingleAsync(u => u.Id == principal.UserId(), ct);
        if (email == grantor.Email)
        {
            return BitwardenErrors.BadRequest("You can not set yourself as an emergency contact.", "email");
        }

        var accountId = await db.Users.AsNoTracking().Where(u => u.Email == email).Select(u => (Guid?)u.Id).SingleOrDefaultAsync(ct);
        if (await db.EmergencyAccessGrants.AnyAsync(g => g.GrantorId == grantor.Id && (g.Email == email || (accountId != null && g.GranteeId == accountId)), ct))
        {
            return BitwardenErrors.BadRequest($"Grantee user already invited: {email}", "email");
        }

        var acceptNow = accountId is not null && !mailer.Enabled;
        var grant = new EmergencyAccessGrant
        {
            Id = Guid.NewGuid(),
            GrantorId = grantor.Id,
            GranteeId = acceptNow ? accountId : null,
            Email = email,
            Type = type,
            Status = acceptNow ? EmergencyAccessStatus.Accepted : EmergencyAccessStatus.Invited,
            WaitTimeDays = request.WaitTimeDays!.Value,
            CreationDate = changes.Now,
            RevisionDate = changes.Now,
        };
        db.EmergencyAccessGrants.Add(grant);
        MailInvitation(mailer, tokens, options.Value.EmergencyAccess, grant, grantor);
        return await CommitAsync(changes, grant, ct);
    }

    /// <summary>
    /// <c>POST …/{id}/reinvite</c>: an Invited grant only. With mail, a fresh link; without, an address that has an
    /// account by now is Accepted now (as organizations and Vaultwarden do with mail off).
    /// </summary>
    private static async Task<IResult> Reinvite(Guid id, ClaimsPrincipal principal, CofferDb db, Changes changes, Mailer mailer, ScopedTokens tokens,
        IOptions<ServerOptions> options, CancellationToken ct)
    {
        if (await AsGrantorAsync(db, principal, id, ct) is not { Status: EmergencyAccessStatus.Invited } grant)
        {
            return NotValid();
        }

        if (mailer.Enabled)
        {
            var grantor = await db.Users.AsNoTracking().SingleAsync(u => u.Id == grant.GrantorId, ct);
            MailInvitation(mailer, tokens, options.Value.EmergencyAccess, grant, grantor);
        }
        else if (await db.Users.AsNoTracking().Where(u => u.Email == grant.Email).Select(u => (Guid?)u.Id).SingleOrDefaultAsync(ct) is { } accountId)
        {
            grant.GranteeId = accountId;
            grant.Status = EmergencyAccessStatus.Accepted;
        }

        return await CommitAsync(changes, grant, ct);
    }

    private static void MailInvitation(Mailer mailer, ScopedTokens tokens, EmergencyAccessOptions options, EmergencyAccessGrant grant, Accounts.User grantor)
    {
        if (!mailer.Enabled || mailer.VaultUrl is not { } vaultUrl)
        {
            return;
        }

        var token = EmergencyAccessInvitations.CreateToken(tokens, options, grant);
        var link = EmergencyAccessInvitations.Link(vaultUrl, grant, EmergencyAccessMail.NameOf(grantor), token);
        EmergencyAccessMail.Invite(mailer, grant, grantor, link, options.InvitationHours);
    }

    /// <summary>
    /// <c>POST …/{id}/accept</c> <c>{token}</c> (§4.5, §4.7, E-6), as the invited account: the token must be untampered,
    /// unexpired, and bound to this grant and to the caller's e-mail (upstream's texts). A grant Coffer already accepted
    /// for the caller (registration or an invitation without mail) answers 200, so the mailed link still works.
    /// </summary>
    private static async Task<IResult> Accept(Guid id, EmergencyAccessAcceptRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes,
        Mailer mailer, ScopedTokens tokens, CancellationToken ct)
    {
        var grant = await db.EmergencyAccessGrants.SingleOrDefaultAsync(g => g.Id == id, ct);
        if (grant is null)
        {
            return NotValid();
        }

        var grantee = await db.Users.AsNoTracking().SingleAsync(u => u.Id == principal.UserId(), ct);
        if (!await EmergencyAccessInvitations.IsValidAsync(tokens, request.Token, grant.Id, grantee.Email))
        {
            return BitwardenErrors.BadRequest("Invalid token.", "token");
        }

        if (grant.Status == EmergencyAccessStatus.Accepted && grant.GranteeId == grantee.Id)
        {
            return Results.Ok();
        }

        if (grant.Status != EmergencyAccessStatus.Invited)
        {
            return BitwardenErrors.BadRequest("Invitation already accepted.");
        }

        if (grant.Email != grantee.Email)
        {
            return BitwardenErrors.BadRequest("User email does not match invite.");
        }

        if (grant.GrantorId == grantee.Id)
        {
            // The grantor took the invited address since (an e-mail change): no one grants access to themselves.
            return BitwardenErrors.BadRequest("You can not set yourself as an emergency contact.");
        }

        grant.GranteeId = grantee.Id;
        grant.Status = EmergencyAccessStatus.Accepted;
        var grantor = await db.Users.AsNoTracking().SingleAsync(u => u.Id == grant.GrantorId, ct);
        EmergencyAccessMail.Accepted(mailer, grant, grantor, grantee);
        return await CommitAsync(changes, grant, ct);
    }

    /// <summary>
    /// <c>POST …/{id}/confirm</c> <c>{key}</c> (§4.4, E-5): the grantor, on an Accepted grant only, so no key is ever
    /// wrapped for an account that did not agree. The key is stored as sent: the server cannot and does not open it.
    /// </summary>
    private static async Task<IResult> Confirm(Guid id, EmergencyAccessConfirmRequestModel request, ClaimsPrincipal principal, CofferDb db, Changes changes,
        Mailer mailer, CancellationToken ct)
    {
        if (await AsGrantorAsync(db, principal, id, ct) is not { Status: EmergencyAccessStatus.Accepted, GranteeId: { } granteeId } grant)
        {
            return NotValid();
        }

        if (!IsWrappedKey(request.Key))
        {
            return BitwardenErrors.BadRequest("key must be the user key encrypted to the grantee's public key (an EncString of type 4).", "key");
        }

        grant.KeyEncrypted = request.Key;
        grant.Status = EmergencyAccessStatus.Confirmed;
        var users = await db.Users.AsNoTracking().Where(u => u.Id == grant.GrantorId || u.Id == granteeId).ToListAsync(ct);
        EmergencyAccessMail.Confirmed(mailer, grant, users.Single(u => u.Id == grant.GrantorId), users.Single(u => u.Id == granteeId));
        return await CommitAsync(changes, grant, ct);
    }

    /// <summary>A key wrapped for the grantee: any well-formed EncString (type 4 today, the SDK's newer types later, §4.4), stored opaquely.</summary>
    internal static bool IsWrappedKey(string? key) => key is { Length: <= MaxKeyLength } && WireValidation.IsEncString(key);

    /// <summary><c>type</c> as a number (0, 1) or a name (<c>View</c>, <c>Takeover</c>), as Vaultwarden reads it.</summary>
    private static IResult? CheckType(JsonElement? raw, out EmergencyAccessType type)
    {
        type = default;
        var parsed = raw switch
        {
            { ValueKind: JsonValueKind.Number } number when number.TryGetInt32(out var n) => n,
            { ValueKind: JsonValueKind.String } text => text.GetString() switch
            {
                "0" or "View" => 0,
                "1" or "Takeover" => 1,
                _ => -1,
            },
            _ => -1,
        };
        if (parsed is not (0 or 1))
        {
            return BitwardenErrors.BadRequest("Invalid emergency access type.", "type");
        }

        type = (EmergencyAccessType)parsed;
        return null;
    }

    // E-10: the timeout job approves at RecoveryInitiatedDate + WaitTimeDays, so 0 or less would approve at once.
    private static IResult? CheckWaitTime(int? days) => days is >= 1 and <= MaxWaitTimeDays
        ? null
        : BitwardenErrors.BadRequest($"The field WaitTimeDays must be between 1 and {MaxWaitTimeDays}.", "waitTimeDays");

    /// <summary>Refuses every emergency route while <c>Coffer:EmergencyAccess:Enabled</c> is false (400, Vaultwarden's text).</summary>
    private sealed class EnabledFilter(IOptions<ServerOptions> options) : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
            options.Value.EmergencyAccess.Enabled ? await next(context) : BitwardenErrors.BadRequest(DisabledMessage);
    }
}
