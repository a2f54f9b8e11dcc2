using System.Security.Claims;
using System.Text.Encodings.Web;
using Coffer.Protocol.Api;
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

    /// <summary>
    /// The client's own identifier of the token's device, added per request: notifications name the acting device by
    /// it (<c>ContextId</c>, notifications doc §8), while the token's <c>device</c> claim holds Coffer's device id.
    /// </summary>
    public const string DeviceIdentifierClaim = "coffer_device_identifier";

    // Runs on every API request: compiled once, so EF skips expression-tree comparison and translation.
    private static readonly Func<CofferDb, Guid, Guid, CancellationToken, Task<SessionState?>> SessionQuery =
        EF.CompileAsyncQuery((CofferDb db, Guid userId, Guid deviceId, CancellationToken ct) => db.Users.AsNoTracking()
            .Where(u => u.Id == userId)
            .Select(u => new SessionState(
                u.SecurityStamp, db.Devices.Where(d => d.Id == deviceId && d.UserId == u.Id).Select(d => d.Identifier).FirstOrDefault(), u.Disabled, u.IsAdmin))
            .SingleOrDefault());

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Token() is not { } token)
        {
            return AuthenticateResult.NoResult();
        }

        var identity = await tokens.ValidateAccessTokenAsync(token);
        if (identity is null
            || !Guid.TryParse(identity.FindFirst(JwtRegisteredClaimNames.Sub)?.Value, out var userId)
            || !Guid.TryParse(identity.FindFirst(TokenService.DeviceClaim)?.Value, out var deviceId)
            || identity.FindFirst(TokenService.SecurityStampClaim)?.Value is not { } stamp)
        {
            return AuthenticateResult.Fail("Invalid access token.");
        }

        var current = await SessionQuery(db, userId, deviceId, Context.RequestAborted);
        if (current is null || current.SecurityStamp != stamp || current.DeviceIdentifier is null || current.Disabled)
        {
            return AuthenticateResult.Fail("The session has ended.");
        }

        identity.AddClaim(new Claim(DeviceIdentifierClaim, current.DeviceIdentifier));

        if (current.IsAdmin)
        {
            identity.AddClaim(new Claim(AdminClaim, "true"));
        }

        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>
    /// The bearer token of the Authorization header; on the notification hub also the <c>access_token</c> query
    /// parameter, as browsers cannot set headers on a WebSocket (notifications doc §2). Nowhere else: tokens in
    /// URLs end up in logs.
    /// </summary>
    private string? Token()
    {
        string? header = Request.Headers.Authorization;
        if (header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }

        return Request.Path.Equals("/notifications/hub", StringComparison.OrdinalIgnoreCase)
            && Request.Query["access_token"] is [{ Length: > 0 } fromQuery] ? fromQuery : null;
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

internal sealed record SessionState(string SecurityStamp, string? DeviceIdentifier, bool Disabled, bool IsAdmin);

public static class AccessTokenSetup
{
    /// <summary>
    /// Access tokens (<see cref="TokenService"/>, checked by <see cref="AccessTokenAuthentication"/> on every request
    /// that carries one), the server-side master password hashing, and authorization.
    /// </summary>
    public static IServiceCollection AddAccessTokens(this IServiceCollection services)
    {
        services.AddSingleton<TokenService>();
        services.AddSingleton<PasswordHashing>();
        services.AddAuthentication(AccessTokenAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, AccessTokenAuthentication>(AccessTokenAuthentication.SchemeName, null);
        services.AddAuthorization();
        return services;
    }
}
