using System.Globalization;
using System.Security.Claims;
using Coffer.Server.Abuse;
using Coffer.Server.Accounts;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Identity;
using Coffer.Server.TwoFactor;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Admin;

/// <summary>
/// <c>POST /admin/api/session</c>: elevation. An admin re-proves with the master password hash (protocol §2.2, as
/// <c>verify-password</c> checks it) or a current TOTP code (one not used before, as at login); the answer is an
/// admin proof (<see cref="AdminProof"/>). Failures count into the account's login lockout, so a stolen access
/// token is no password oracle here, and are audited (9110), as is every elevation (9109).
/// </summary>
public static class AdminSessionEndpoints
{
    public static void MapAdminSession(this IEndpointRouteBuilder admin)
    {
        admin.MapPost("/session", Prove)
            .WithSummary("Re-prove with the master password hash or a TOTP code; returns the admin proof for the X-Coffer-Admin-Proof header")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
    }

    private static async Task<Results<Ok<AdminSessionModel>, ProblemHttpResult>> Prove(
        AdminSessionRequest request, ClaimsPrincipal principal, HttpContext http, CofferDb db, AdminProof proof, MasterPasswordProof passwords, TwoFactorSecrets secrets, LoginLockout lockout, Changes changes, CancellationToken ct)
    {
        var user = await db.Users.SingleAsync(u => u.Id == principal.UserId(), ct);
        if (await proof.CheckTwoFactorAsync(db, user.Id, ct) is { } refusal)
        {
            return refusal;
        }

        if (string.IsNullOrEmpty(request.MasterPasswordHash) && string.IsNullOrEmpty(request.Otp))
        {
            return TypedResults.Problem(detail: "Send masterPasswordHash or otp.", statusCode: StatusCodes.Status400BadRequest);
        }

        // The same per-account budget as every other master password check (Accounts/MasterPasswordProof).
        if (await passwords.SpendBudgetAsync(user, ct) is { } retryAfter)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(detail: $"Too many requests. Try again in {seconds} seconds.", statusCode: StatusCodes.Status429TooManyRequests);
        }

        if (await lockout.IsLockedAsync(user.Email))
        {
            return TypedResults.Problem(detail: LoginLockout.Message, statusCode: StatusCodes.Status429TooManyRequests);
        }

        if (!await ProvesAsync(request, user, db, passwords, secrets, changes))
        {
            changes.Record(EventType.AdminProofFailed, user.Id, actingUserId: user.Id, deviceId: principal.DeviceId());
            await lockout.RecordFailureAsync(user.Email, user.Id);
            await changes.CommitAsync(ct: ct);
            return TypedResults.Problem(detail: "The master password or the code is wrong.", statusCode: StatusCodes.Status400BadRequest);
        }

        var (token, expires) = proof.Issue(principal);
        changes.Record(EventType.AdminProved, user.Id, actingUserId: user.Id, deviceId: principal.DeviceId(), detail: request.Otp is { Length: > 0 } ? "totp" : "master password");
        await changes.CommitAsync(ct: ct);
        return TypedResults.Ok(new AdminSessionModel(token, expires));
    }

    /// <summary>Every factor sent must check out: a password hash as verify-password checks it, a code as the login's second step.</summary>
    private static async Task<bool> ProvesAsync(
        AdminSessionRequest request, User user, CofferDb db, MasterPasswordProof passwords, TwoFactorSecrets secrets, Changes changes)
    {
        if (request.MasterPasswordHash is { Length: > 0 } hash && !await passwords.MatchesAsync(hash, user))
        {
            return false;
        }

        return request.Otp is not { Length: > 0 } otp
            || (user.TotpSecret is not null && otp.Length <= 16 && await TwoFactorLogin.ClaimTotpStepAsync(db, user, secrets.Unprotect(user.Id, user.TotpSecret), otp, changes.Now));
    }
}
