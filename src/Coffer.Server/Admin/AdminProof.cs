using System.Globalization;
using System.Security.Claims;
using Coffer.Server.Data;
using Coffer.Server.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Coffer.Server.Admin;

/// <summary>
/// Admin elevation. An access token of an admin account is an ordinary user token; admin power needs, besides it,
/// a proof that the admin re-entered the master password or a TOTP code recently: header <see cref="Header"/> with
/// the token from <c>POST /admin/api/session</c>. The proof is a JWT under its own audience (<see cref="TokenService"/>),
/// bound to the user, the device and the security stamp of the access token it was issued to, with the time of the
/// proof in <see cref="ProvedAtClaim"/> (Unix seconds); it counts for <see cref="AdminOptions.ProofMinutes"/>.
/// Stateless, so every node that shares the signing key agrees; a new security stamp (password change, log out
/// everywhere, an admin's force-logout) or losing the admin role (read from the database per request) ends it.
/// The refusal follows RFC 9470 (OAuth 2.0 Step-Up Authentication Challenge): 401 with
/// <c>WWW-Authenticate: Bearer error="insufficient_user_authentication", max_age=…</c>, as problem details of type
/// <see cref="ProofRequiredType"/>.
/// </summary>
public sealed class AdminProof(TokenService tokens, TimeProvider time, IOptions<ServerOptions> options)
{
    public const string Header = "X-Coffer-Admin-Proof";
    public const string ProvedAtClaim = "proof_at";
    public const string ProofRequiredType = "urn:coffer:problem:admin-proof-required";
    public const string TwoFactorRequiredType = "urn:coffer:problem:admin-two-factor-required";

    private AdminOptions Settings => options.Value.Admin;

    public TimeSpan Lifetime => TimeSpan.FromMinutes(Settings.ProofMinutes);

    /// <summary>A proof for the session of <paramref name="principal"/>, proved now; returns the token and when it stops counting.</summary>
    public (string Token, DateTime ExpiresAt) Issue(ClaimsPrincipal principal)
    {
        var now = time.GetUtcNow();
        var expires = now.UtcDateTime + Lifetime;
        var token = tokens.CreateAdminProof(
            new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = principal.UserId().ToString(),
                [TokenService.DeviceClaim] = principal.DeviceId().ToString(),
                [TokenService.SecurityStampClaim] = principal.FindFirstValue(TokenService.SecurityStampClaim)!,
                [ProvedAtClaim] = now.ToUnixTimeSeconds(),
            },
            expires);
        return (token, expires);
    }

    /// <summary>
    /// True when <paramref name="token"/> is a proof of this principal's very session (user, device, security stamp)
    /// made less than <see cref="AdminOptions.ProofMinutes"/> ago by the server's clock.
    /// </summary>
    public async Task<bool> IsFreshAsync(string? token, ClaimsPrincipal principal)
    {
        if (token is not { Length: > 0 and <= 4096 } || await tokens.ValidateAdminProofAsync(token) is not { } proof)
        {
            return false;
        }

        return proof.FindFirst(JwtRegisteredClaimNames.Sub)?.Value == principal.FindFirstValue(JwtRegisteredClaimNames.Sub)
            && proof.FindFirst(TokenService.DeviceClaim)?.Value == principal.FindFirstValue(TokenService.DeviceClaim)
            && proof.FindFirst(TokenService.SecurityStampClaim)?.Value == principal.FindFirstValue(TokenService.SecurityStampClaim)
            && long.TryParse(proof.FindFirst(ProvedAtClaim)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var provedAt)
            // The JWT's own expiry allows clock skew between nodes; the proof's age is checked exactly.
            && time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(provedAt) is { } age
            && age >= TimeSpan.FromSeconds(-30) && age < Lifetime;
    }

    /// <summary>The two-step-login rule: null when the account may act as admin, else the 403 to return.</summary>
    public async Task<ProblemHttpResult?> CheckTwoFactorAsync(CofferDb db, Guid userId, CancellationToken ct)
    {
        if (!Settings.RequireTwoFactor || await db.Users.AnyAsync(u => u.Id == userId && u.TotpSecret != null, ct))
        {
            return null;
        }

        return TypedResults.Problem(
            detail: "Admin actions need two-step login on the admin's account. Turn on two-step login in the web vault's settings, then try again.",
            statusCode: StatusCodes.Status403Forbidden,
            title: "Two-step login required",
            type: TwoFactorRequiredType);
    }

    /// <summary>401 asking for a new proof (RFC 9470 §3), with the allowed age in seconds as <c>max_age</c>.</summary>
    public ProblemHttpResult ProofRequired(HttpContext context)
    {
        var maxAge = (int)Lifetime.TotalSeconds;
        context.Response.Headers.WWWAuthenticate =
            $"Bearer error=\"insufficient_user_authentication\", error_description=\"A fresh admin proof is required\", max_age={maxAge}";
        return TypedResults.Problem(
            detail: $"Admin actions need the master password or a two-step login code entered within the last {Settings.ProofMinutes} minutes. Prove it with POST /admin/api/session.",
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Re-authentication required",
            type: ProofRequiredType,
            extensions: new Dictionary<string, object?> { ["code"] = "admin_proof_required", ["maxAge"] = maxAge });
    }

    /// <summary>Every admin action except elevation itself: the two-step-login rule, then a fresh proof.</summary>
    internal sealed class Filter(AdminProof proof, CofferDb db) : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            var http = context.HttpContext;
            if (await proof.CheckTwoFactorAsync(db, http.User.UserId(), http.RequestAborted) is { } refusal)
            {
                return refusal;
            }

            if (!await proof.IsFreshAsync(http.Request.Headers[Header], http.User))
            {
                return proof.ProofRequired(http);
            }

            return await next(context);
        }
    }
}
