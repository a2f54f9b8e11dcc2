using System.Security.Claims;
using Coffer.Server.Accounts;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Identity;
using Coffer.Server.Notifications;
using Coffer.Server.Organizations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Admin;

/// <summary>
/// <c>/admin/api</c>: Coffer's own administration routes (not Bitwarden's, so RFC 9457 problem details and 403 for
/// a signed-in non-admin). Authenticated by the same bearer tokens; the admin role is read from the database on
/// every request (<see cref="AccessTokenAuthentication"/>), so a revoked admin loses access at once. The token
/// alone is not enough: every action but elevation also needs a fresh admin proof (<see cref="AdminProof"/>).
/// Every action is written to the audit chain with the admin as the acting user.
/// </summary>
public static class AdminEndpoints
{
    public const string Policy = "admin";

    public static IServiceCollection AddAdmin(this IServiceCollection services)
    {
        services.AddSingleton<AdminProof>();
        services.AddAuthorizationBuilder()
            .AddPolicy(Policy, policy => policy.RequireAuthenticatedUser().RequireClaim(AccessTokenAuthentication.AdminClaim));
        return services;
    }

    public static void MapAdmin(this IEndpointRouteBuilder app)
    {
        var signedIn = app.MapGroup("/admin/api").RequireAuthorization(Policy).WithTags("Admin")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        signedIn.MapAdminSession();
        var admin = signedIn.MapGroup("").AddEndpointFilter<AdminProof.Filter>();
        admin.MapGet("/users", ListUsers).WithSummary("All accounts: metadata only, never vault contents");
        admin.MapPost("/users/{id:guid}/disable", Disable).WithSummary("Disable an account: ends its sessions and refuses logins");
        admin.MapPost("/users/{id:guid}/enable", Enable).WithSummary("Enable a disabled account");
        admin.MapPost("/users/{id:guid}/logout", ForceLogout).WithSummary("End every session of an account (new security stamp)");
        admin.MapDelete("/users/{id:guid}", DeleteUser).WithSummary("Delete an account and all its data");
        admin.MapAdminInvitations();
        admin.MapAdminSettings();
        admin.MapAdminOrganizations();
        admin.MapAdminMail();
    }

    private static async Task<Ok<List<AdminUserModel>>> ListUsers(CofferDb db, CancellationToken ct)
    {
        var rows = await db.Users.AsNoTracking().OrderBy(u => u.CreationDate)
            .Select(u => new
            {
                u.Id,
                u.Email,
                u.Name,
                u.CreationDate,
                LastLogin = db.Devices.Where(d => d.UserId == u.Id).Max(d => (DateTime?)d.RevisionDate),
                ItemCount = db.Ciphers.Count(c => c.UserId == u.Id),
                u.Disabled,
                u.IsAdmin,
                TwoFactorEnabled = u.TotpSecret != null || u.TwoFactorEmail != null
                    || db.WebAuthnCredentials.Any(c => c.UserId == u.Id && c.Kind == TwoFactor.WebAuthnCredentialKind.SecurityKey),
            })
            .ToListAsync(ct);

        // An aggregate bypasses the column's UTC converter on SQLite; restore the kind so the JSON carries 'Z'.
        return TypedResults.Ok(rows.ConvertAll(r => new AdminUserModel(
            r.Id, r.Email, r.Name, r.CreationDate,
            r.LastLogin is { } l ? DateTime.SpecifyKind(l, DateTimeKind.Utc) : null,
            r.ItemCount, r.Disabled, r.IsAdmin, r.TwoFactorEnabled)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Disable(Guid id, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        if (id == principal.UserId())
        {
            return SelfAction("disable");
        }

        if (await db.Users.SingleOrDefaultAsync(u => u.Id == id, ct) is not { } user)
        {
            return UserNotFound();
        }

        user.Disabled = true;
        await EndSessionsAsync(db, user, changes.Now, ct);
        changes.Record(EventType.AdminDisabledUser, user.Id, actingUserId: principal.UserId(), detail: user.Email);
        changes.Notify(PushType.LogOut, user.Id, excludeActingDevice: false);
        await changes.CommitAsync(ct: ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Enable(Guid id, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        if (await db.Users.SingleOrDefaultAsync(u => u.Id == id, ct) is not { } user)
        {
            return UserNotFound();
        }

        user.Disabled = false;
        user.RevisionDate = changes.Now;
        changes.Record(EventType.AdminEnabledUser, user.Id, actingUserId: principal.UserId(), detail: user.Email);
        await changes.CommitAsync(ct: ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ForceLogout(Guid id, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        if (await db.Users.SingleOrDefaultAsync(u => u.Id == id, ct) is not { } user)
        {
            return UserNotFound();
        }

        await EndSessionsAsync(db, user, changes.Now, ct);
        changes.Record(EventType.AdminForcedLogout, user.Id, actingUserId: principal.UserId(), detail: user.Email);
        changes.Notify(PushType.LogOut, user.Id, excludeActingDevice: false);
        await changes.CommitAsync(ct: ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteUser(Guid id, ClaimsPrincipal principal, CofferDb db, Changes changes, CancellationToken ct)
    {
        if (id == principal.UserId())
        {
            return SelfAction("delete");
        }

        if (await db.Users.SingleOrDefaultAsync(u => u.Id == id, ct) is not { } user)
        {
            return UserNotFound();
        }

        // The last owner of an organization with other members must hand it over first (doc §9.5).
        var (lastOwner, otherMembers) = await OrganizationMembers.PrepareAccountDeletionAsync(db, user.Id, ct);
        if (lastOwner is not null)
        {
            return TypedResults.Problem(detail: lastOwner, statusCode: StatusCodes.Status400BadRequest);
        }

        // Devices, refresh tokens, folders, ciphers and memberships go with the row (ON DELETE CASCADE); the audit log stays.
        db.Users.Remove(user);
        changes.Record(EventType.AdminDeletedUser, user.Id, actingUserId: principal.UserId(), detail: user.Email);
        changes.Notify(PushType.LogOut, user.Id, excludeActingDevice: false);
        foreach (var member in otherMembers)
        {
            changes.Notify(PushType.SyncVault, member);
        }

        await changes.CommitAsync(otherMembers, ct);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// A new security stamp refuses every access token at the next request; deleting the refresh tokens means no
    /// client can obtain new ones. The revision date moves so cached sync answers are not reused.
    /// </summary>
    internal static async Task EndSessionsAsync(CofferDb db, User user, DateTime now, CancellationToken ct)
    {
        user.SecurityStamp = Guid.NewGuid().ToString();
        user.RevisionDate = now;
        db.RefreshTokens.RemoveRange(await db.RefreshTokens.Where(t => t.UserId == user.Id).ToListAsync(ct));
    }

    private static ProblemHttpResult UserNotFound() =>
        TypedResults.Problem(detail: "No account has this id.", statusCode: StatusCodes.Status404NotFound);

    // Locking oneself out would leave a server with no admin who can undo it.
    private static ProblemHttpResult SelfAction(string verb) =>
        TypedResults.Problem(detail: $"An admin cannot {verb} their own account.", statusCode: StatusCodes.Status400BadRequest);
}
