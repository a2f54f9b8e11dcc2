using Coffer.Protocol.Api;
using Coffer.Server.Abuse;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Identity;
using Coffer.Server.TwoFactor;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Passkeys;

/// <summary>
/// Logging in with a passkey (<c>bitwarden-sharing-features.md</c> §5.6, upstream <c>WebAuthnGrantValidator</c>):
/// <c>GET /identity/accounts/webauthn/assertion-options</c> stores a single-use challenge and names it with a token;
/// <c>grant_type=webauthn</c> at <c>/identity/connect/token</c> brings that token and the assertion. The credential is
/// discoverable, so its user handle (the account id) says whose it is. No second factor is asked, as upstream: a
/// passkey with user verification is already two factors (the authenticator, and the PIN or biometric it checked).
/// Failures count toward the account's login lockout like wrong passwords, and the grant spends the login budget.
/// </summary>
public static class PasskeyLogin
{
    public const string GrantType = "webauthn";

    internal const string InvalidCredential = "Invalid credential.";

    public static void MapPasskeyLogin(this IEndpointRouteBuilder identity)
    {
        identity.MapGet("/accounts/webauthn/assertion-options", AssertionOptions).Produces<WebAuthnLoginAssertionOptionsResponseModel>()
            .WithTags("Identity").WithSummary("Options for logging in with a passkey, and the token naming their challenge");
    }

    private static async Task<IResult> AssertionOptions(
        HttpContext context, CofferDb db, WebAuthnRelyingParty rp, IAttemptStore attempts, IOptions<ServerOptions> options, Changes changes, CancellationToken ct)
    {
        if (rp.Fido2 is not { } fido2)
        {
            return Errors.BitwardenErrors.BadRequest(WebAuthnRelyingParty.NeedsPublicUrl);
        }

        // Anonymous and writes a row: the rate limiter skips GETs, so it spends the prelogin budget of the address here.
        var limit = options.Value.RateLimits.PreloginPerIp;
        var budget = await attempts.HitAsync("prelogin-ip:" + ClientAddress.KeyOf(context), limit.Limit, limit.Window, ct);
        if (!budget.Allowed)
        {
            return RateLimiting.TooManyRequests(budget.RetryAfter);
        }

        var now = changes.Now;
        // Unanswered login challenges have no account to replace them; the expired ones go when new ones come.
        await db.WebAuthnChallenges.Where(c => c.Ceremony == WebAuthnCeremony.LogInWithPasskey && c.ExpirationDate < now).ExecuteDeleteAsync(ct);
        var assertionOptions = PasskeyEndpoints.LoginOptions(fido2);
        var token = PasskeyCeremonies.Store(db, null, WebAuthnCeremony.LogInWithPasskey, assertionOptions.ToJson(), now);
        await changes.CommitAsync(ct: ct);
        return Results.Json(
            new WebAuthnLoginAssertionOptionsResponseModel { Options = PasskeyEndpoints.JsonElementOf(assertionOptions.ToJson()), Token = token }, CofferJson.Options);
    }

    /// <summary>
    /// <c>grant_type=webauthn</c>: <c>token</c>, <c>deviceResponse</c> (the assertion as JSON, with <c>userHandle</c>) and
    /// the device fields. The token response carries <c>UserDecryptionOptions.WebAuthnPrfOption</c> when the passkey has
    /// a PRF key set. Every failure answers <c>invalid_grant</c> with one message, whatever went wrong.
    /// </summary>
    internal static async Task<IResult> GrantAsync(
        Func<string, string?> form, CofferDb db, TokenService tokens, Changes changes, LoginLockout lockout, WebAuthnRelyingParty rp, CancellationToken ct)
    {
        if (TokenEndpoints.CheckDeviceFields(form, "token", "deviceresponse") is { } malformed)
        {
            return malformed;
        }

        if (rp.Fido2 is not { } fido2)
        {
            return TokenEndpoints.OAuthError("invalid_grant", WebAuthnRelyingParty.NeedsPublicUrl);
        }

        var now = changes.Now;
        // The challenge goes first, whatever follows: an assertion is answered once.
        var optionsJson = await PasskeyCeremonies.TakeAsync(db, form("token"), WebAuthnCeremony.LogInWithPasskey, null, now, ct);
        var assertion = PasskeyCeremonies.Assertion(form("deviceresponse"));
        if (assertion?.Response?.UserHandle is not { Length: 16 } handle)
        {
            await changes.CommitAsync(ct: ct);
            return TokenEndpoints.OAuthError("invalid_grant", InvalidCredential);
        }

        var ownerId = new Guid(handle);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == ownerId, ct);
        var email = user is null ? null : AccountEmail.Normalize(user.Email);
        if (email is not null && await lockout.IsLockedAsync(email))
        {
            await changes.CommitAsync(ct: ct);
            return TokenEndpoints.OAuthError("invalid_grant", LoginLockout.Message);
        }

        var credential = user is null || optionsJson is null ? null : await PasskeyCeremonies.VerifyAsync(fido2, db, assertion, optionsJson, ownerId, now, ct);
        // A disabled account answers like a bad assertion: the login reveals nothing about it.
        if (credential is null || user!.Disabled)
        {
            changes.Record(EventType.UserFailedLogIn, user?.Id, detail: user is null ? "passkey of an unknown account" : user.Disabled ? "disabled account" : "passkey");
            if (email is not null)
            {
                await lockout.RecordFailureAsync(email, user!.Id);
            }

            await changes.CommitAsync(ct: ct);
            return TokenEndpoints.OAuthError("invalid_grant", InvalidCredential);
        }

        var device = await TokenEndpoints.UpsertDevice(db, user, form("deviceidentifier")!, form("devicename")!, int.Parse(form("devicetype")!, System.Globalization.CultureInfo.InvariantCulture), now);
        var clientId = form("clientid")!;
        var refresh = TokenEndpoints.IssueRefreshToken(db, tokens, user, device, clientId, now);
        await lockout.ResetAsync(email!);
        changes.Record(EventType.UserLoggedIn, user.Id, deviceId: device.Id, detail: "passkey");
        await changes.CommitAsync(ct: ct);

        var response = TokenEndpoints.SuccessResponse(tokens, user, device, clientId, refresh, includeKeys: true);
        if (credential is { SupportsPrf: true, EncryptedUserKey: { } userKey, EncryptedPrivateKey: { } privateKey, EncryptedPublicKey: not null })
        {
            response = response with
            {
                UserDecryptionOptions = response.UserDecryptionOptions! with
                {
                    WebAuthnPrfOption = new WebAuthnPrfDecryptionOptionModel
                    {
                        EncryptedPrivateKey = privateKey,
                        EncryptedUserKey = userKey,
                        CredentialId = credential.CredentialId,
                        Transports = credential.Transports?.Split(',') ?? [],
                    },
                },
            };
        }

        return Results.Json(response, CofferJson.Options);
    }
}
