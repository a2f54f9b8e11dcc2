using System.Security.Claims;
using Coffer.Server.Accounts;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Identity;
using Coffer.Server.Mail;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Admin;

/// <summary><c>/admin/api/invitations</c>: invitations for invite-only registration (see <see cref="Invitations"/>).</summary>
public static class AdminInvitationEndpoints
{
    public static void MapAdminInvitations(this IEndpointRouteBuilder admin)
    {
        admin.MapPost("/invitations", Create).WithSummary("Invite an e-mail address; the token is returned once and expires in 7 days; with mail, the address is mailed a sign-up link carrying it");
        admin.MapGet("/invitations", List).WithSummary("All invitations with their status (pending, used, expired)");
        admin.MapDelete("/invitations/{id:guid}", Revoke).WithSummary("Revoke an invitation");
    }

    /// <summary>
    /// Creates an invitation; with mail (<see cref="Mailer.Enabled"/>) the address gets a link to the web vault's sign-up
    /// with the token filled in (template <c>admin-invite</c>, <c>#/register?email=…&amp;invite=…</c>).
    /// </summary>
    private static async Task<Results<Created<CreatedInvitationModel>, ProblemHttpResult>> Create(
        CreateInvitationRequest request, ClaimsPrincipal principal, CofferDb db, Mailer mailer, Changes changes, CancellationToken ct)
    {
        if (RegistrationEndpoints.NormalizeEmail(request.Email) is not { } email)
        {
            return TypedResults.Problem(detail: "A valid e-mail address is required.", statusCode: StatusCodes.Status400BadRequest);
        }

        if (await db.Users.AnyAsync(u => u.Email == email, ct))
        {
            return TypedResults.Problem(detail: "An account with this e-mail address already exists.", statusCode: StatusCodes.Status409Conflict);
        }

        var (token, hash) = Invitations.NewToken();
        var invitation = new Invitation
        {
            Id = Guid.NewGuid(),
            Email = email,
            TokenHash = hash,
            CreatedByUserId = principal.UserId(),
            CreationDate = changes.Now,
            ExpirationDate = changes.Now + Invitations.Lifetime,
        };
        db.Invitations.Add(invitation);
        if (mailer.Enabled)
        {
            var inviter = await db.Users.AsNoTracking().Where(u => u.Id == principal.UserId()).Select(u => u.Email).SingleAsync(ct);
            mailer.Queue(email, "admin-invite", new Dictionary<string, string?>
            {
                ["inviter"] = inviter,
                ["link"] = $"{mailer.VaultUrl}/#/register?email={Uri.EscapeDataString(email)}&invite={Uri.EscapeDataString(token)}",
                ["expiry_days"] = ((int)Invitations.Lifetime.TotalDays).ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
        }

        changes.Record(EventType.AdminInvitedUser, null, actingUserId: principal.UserId(), detail: email);
        await changes.CommitAsync(ct: ct);
        return TypedResults.Created($"/admin/api/invitations/{invitation.Id}", new CreatedInvitationModel(invitation.Id, email, token, invitation.ExpirationDate));
    }

    private static async Task<Ok<List<InvitationModel>>> List(CofferDb db, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var invitations = await db.Invitations.AsNoTracking().OrderByDescending(i => i.CreationDate).ToListAsync(ct);
        return TypedResults.Ok(invitations.ConvertAll(i => new InvitationModel(
            i.Id, i.Email, i.CreationDate, i.ExpirationDate, i.UsedDate,
            i.UsedDate is not null ? "used" : i.ExpirationDate <= now ? "expired" : "pending")));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(Guid id, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        if (await db.Invitations.SingleOrDefaultAsync(i => i.Id == id, ct) is not { } invitation)
        {
            return TypedResults.Problem(detail: "No invitation has this id.", statusCode: StatusCodes.Status404NotFound);
        }

        db.Invitations.Remove(invitation);
        changes.Record(EventType.AdminRevokedInvitation, null, actingUserId: principal.UserId(), detail: invitation.Email);
        await changes.CommitAsync(ct: ct);
        return TypedResults.NoContent();
    }
}
