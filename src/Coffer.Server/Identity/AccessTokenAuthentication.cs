using System.Security.Claims;
using System.Text.Encodings.Web;
using Coffer.Core.Api;
using Coffer.Server.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Coffer.Server.Identity;

/// <summary>
/// Bearer authentication for <c>/api</c>: a valid JWT (see <see cref="TokenService"/>) whose security stamp still
/// matches the account and whose device still exists. One indexed query per request; a changed stamp or a
/// removed device ends the session at once. Failures answer 401 with Bitwarden's error JSON, never 403.
/// </summary>
public sealed class AccessTokenAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TokenService tokens,
    CofferDb db) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    /// <summary>Added per request from the database, so a demoted admin loses access with the next request.</summary>
    public const string AdminClaim = "coffer_admin";

    // Runs on every API request: compiled once, so EF skips expression-tree comparison and translation.
    private static readonly Func<CofferDb, Guid, Guid, CancellationToken, Task<SessionState?>> SessionQuery =
        EF.CompileAsyncQuery((CofferDb db, Guid userId, Guid deviceId, CancellationToken ct) => db.Users.AsNoTracking()
            .Where(u => u.Id == userId)
            .Select(u => new SessionState(u.SecurityStamp, db.Devices.Any(d => d.Id == deviceId && d.UserId == u.Id), u.Disabled, u.IsAdmin))
            .SingleOrDefault());

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var identity = await tokens.ValidateAccessTokenAsync(header["Bearer ".Length..].Trim());
        if (identity is null
            || !Guid.TryParse(identity.FindFirst(JwtRegisteredClaimNames.Sub)?.Value, out var userId)
            || !Guid.TryParse(identity.FindFirst(TokenService.DeviceClaim)?.Value, out var deviceId)
            || identity.FindFirst(TokenService.SecurityStampClaim)?.Value is not { } stamp)
        {
            return AuthenticateResult.Fail("Invalid access token.");
        }

        var current = await SessionQuery(db, userId, deviceId, Context.RequestAborted);
        if (current is null || current.SecurityStamp != stamp || !current.DeviceExists || current.Disabled)
        {
            return AuthenticateResult.Fail("The session has ended.");
        }

        if (current.IsAdmin)
        {
            identity.AddClaim(new Claim(AdminClaim, "true"));
        }

        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        if (Request.Path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase))
        {
            // Coffer's own admin routes answer in RFC 9457 problem details.
            await Results.Problem(detail: "A valid access token is required.", statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(Context);
            return;
        }

        await Response.WriteAsJsonAsync(ErrorResponseModel.From("Unauthorized: a valid access token is required."), CofferJson.Options);
    }
}

public static class ClaimsPrincipalExtensions
{
    /// <summary>The authenticated user's id (the JWT <c>sub</c>); only valid behind <c>RequireAuthorization</c>.</summary>
    public static Guid UserId(this ClaimsPrincipal principal) =>
        Guid.Parse(principal.FindFirstValue(JwtRegisteredClaimNames.Sub)!);

    public static Guid DeviceId(this ClaimsPrincipal principal) =>
        Guid.Parse(principal.FindFirstValue(TokenService.DeviceClaim)!);
}

internal sealed record SessionState(string SecurityStamp, bool DeviceExists, bool Disabled, bool IsAdmin);
