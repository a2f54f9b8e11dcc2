using System.Security.Claims;
using System.Text;
using Coffer.Protocol.Api;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Identity;
using Coffer.Server.Organizations;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Accounts;

/// <summary>Account routes under <c>/api/accounts</c> (protocol §4.5, §4.6, §4.8) and the known-device check (§4.7).</summary>
public static class AccountEndpoints
{
    public static void MapAccounts(this IEndpointRouteBuilder api)
    {
        var accounts = api.MapGroup("/accounts").WithTags("Accounts");
        accounts.MapGet("/profile", Profile).Produces<ProfileResponseModel>();
        accounts.MapGet("/revision-date", RevisionDate).Produces<long>()
            .WithSummary("Account revision time in milliseconds since the Unix epoch");
        accounts.MapPost("/key-management/user-key-id", SetUserKeyId).WithSummary("Record the user key's id (32 hex)");
    }

    /// <summary><c>GET /api/devices/knowndevice</c>: anonymous upstream (Program.cs says so); answers only true/false for an e-mail and device id pair.</summary>
    public static RouteHandlerBuilder MapKnownDevice(this IEndpointRouteBuilder api) =>
        api.MapGet("/devices/knowndevice", KnownDevice).WithTags("Devices").Produces<bool>();

    private static async Task<IResult> Profile(ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        var userId = principal.UserId();
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId, ct);
        var organizations = await OrganizationResponses.ProfileOrganizationsAsync(db, userId, ct);
        var securityKeys = await TwoFactor.TwoFactorProviders.HasSecurityKeysAsync(db, userId, ct);
        return Results.Json(AccountResponses.Profile(user, organizations, securityKeys), CofferJson.Options);
    }

    private static async Task<IResult> RevisionDate(ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        var userId = principal.UserId();
        var revision = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.AccountRevisionDate).SingleAsync(ct);
        return Results.Json(new DateTimeOffset(revision, TimeSpan.Zero).ToUnixTimeMilliseconds());
    }

    private static async Task<IResult> SetUserKeyId(UserKeyIdRequestModel request, ClaimsPrincipal principal, CofferDb db, TimeProvider time, CancellationToken ct)
    {
        if (request.UserKeyId is not { } keyId || !WireValidation.IsKeyId(keyId))
        {
            return BitwardenErrors.BadRequest("userKeyId must be 32 lowercase hexadecimal characters.", "userKeyId");
        }

        var userId = principal.UserId();
        var now = time.GetUtcNow().UtcDateTime;
        await db.Users.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.UserKeyId, keyId).SetProperty(u => u.RevisionDate, now), ct);
        return Results.Ok();
    }

    private static async Task<IResult> KnownDevice(HttpRequest request, CofferDb db, CancellationToken ct)
    {
        string? encodedEmail = request.Headers["X-Request-Email"];
        string? deviceId = request.Headers["X-Device-Identifier"];
        if (string.IsNullOrEmpty(encodedEmail) || string.IsNullOrEmpty(deviceId) || encodedEmail.Length > 1024 || deviceId.Length > 128)
        {
            return BitwardenErrors.BadRequest("X-Request-Email and X-Device-Identifier headers are required.");
        }

        string email;
        try
        {
            // Base64url; newer clients pad it with '=' (protocol §4.7).
            email = Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(encodedEmail.TrimEnd('=')));
        }
        catch (FormatException)
        {
            return BitwardenErrors.BadRequest("X-Request-Email must be Base64url.");
        }

        var normalized = AccountEmail.Normalize(email);
        var known = await db.Devices.AnyAsync(d => d.Identifier == deviceId && db.Users.Any(u => u.Id == d.UserId && u.Email == normalized), ct);
        return Results.Json(known);
    }
}
