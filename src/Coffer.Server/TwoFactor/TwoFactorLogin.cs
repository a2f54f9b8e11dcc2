using System.Globalization;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;
using Coffer.Server.Accounts;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Devices;
using Coffer.Server.Identity;
using Coffer.Server.Organizations;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.TwoFactor;

/// <summary>
/// The second step of the password grant (protocol §4.3.3, account doc §2.4–§2.5), run after the password has
/// checked out. With TOTP on, the grant must carry <c>twoFactorProvider</c> and <c>twoFactorToken</c>:
/// 0 = a TOTP code (±1 step, never a step at or before the last accepted one), 5 = a remember token from an
/// earlier 2FA login on this device, 8 = the recovery code (switches 2FA off). Without them, or with an invalid
/// remember token, the answer is the challenge, which clients turn into a code prompt; a wrong code is a 400 with
/// upstream's text, which the web vault matches on.
/// </summary>
public static class TwoFactorLogin
{
    public const string InvalidToken = "Two-step token is invalid. Try again.";

    /// <summary>Upstream's and Vaultwarden's remember-token lifetime.</summary>
    public static readonly TimeSpan RememberLifetime = TimeSpan.FromDays(30);

    private static readonly string[] OfferedProviders = ["0"];

    /// <summary>What the grant does next: refuse with <see cref="Refusal"/>, or go on (and issue a remember token when <see cref="Remember"/>).</summary>
    public sealed record Outcome(IResult? Refusal, bool Remember)
    {
        public static readonly Outcome Passed = new(null, false);

        /// <summary>A wrong code (not a mere challenge): counts towards the account's login lockout.</summary>
        public bool WrongCode { get; init; }
    }

    public static async Task<Outcome> CheckAsync(
        User user, string? provider, string? token, string? remember, string deviceIdentifier, CofferDb db, TwoFactorSecrets secrets, Changes changes)
    {
        if (user.TotpSecret is null)
        {
            // As upstream: 2FA fields are ignored on accounts without a second factor.
            return Outcome.Passed;
        }

        if (string.IsNullOrEmpty(token) || string.IsNullOrEmpty(provider))
        {
            return new Outcome(Challenge(), false);
        }

        var type = int.TryParse(provider, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : -1;
        switch (type)
        {
            case TwoFactorProviderType.Remember:
                // Invalid or expired: the normal challenge, not an error; the client then forgets it and asks for a code.
                return await RememberTokenIsValidAsync(db, user, token, deviceIdentifier, changes.Now)
                    ? Outcome.Passed
                    : new Outcome(Challenge(), false);
            case TwoFactorProviderType.Authenticator when await ClaimTotpStepAsync(db, user, secrets.Unprotect(user.Id, user.TotpSecret), token, changes.Now):
                return new Outcome(null, remember == "1");
            case TwoFactorProviderType.RecoveryCode when RecoveryCodes.Matches(token, user.TwoFactorRecoveryCodeHash):
                await RecoverAsync(db, user, changes);
                return Outcome.Passed;
            default:
                changes.Record(EventType.UserFailedLogIn2fa, user.Id, detail: $"provider {type}");
                return new Outcome(Invalid(), false) { WrongCode = true };
        }
    }

    /// <summary>A new remember token for this device, replacing any earlier one; only its SHA-256 is stored.</summary>
    public static async Task<string> IssueRememberTokenAsync(CofferDb db, User user, Device device, DateTime now)
    {
        var (token, hash) = TokenService.NewRefreshToken();
        db.TwoFactorRememberTokens.RemoveRange(await db.TwoFactorRememberTokens.Where(t => t.UserId == user.Id && t.DeviceId == device.Id).ToListAsync());
        db.TwoFactorRememberTokens.Add(new TwoFactorRememberToken
        {
            Id = Guid.NewGuid(),
            UserId = user.Id,
            DeviceId = device.Id,
            TokenHash = hash,
            SecurityStamp = user.SecurityStamp,
            CreationDate = now,
            ExpirationDate = now + RememberLifetime,
        });
        return token;
    }

    /// <summary>Queues the deletion of every remember token of the user: any change to 2FA ends them.</summary>
    public static async Task RevokeRememberTokensAsync(CofferDb db, Guid userId, CancellationToken ct = default) =>
        db.TwoFactorRememberTokens.RemoveRange(await db.TwoFactorRememberTokens.Where(t => t.UserId == userId).ToListAsync(ct));

    private static async Task<bool> RememberTokenIsValidAsync(CofferDb db, User user, string token, string deviceIdentifier, DateTime now)
    {
        if (token.Length > 256)
        {
            return false;
        }

        var hash = TokenService.HashRefreshToken(token);
        return await db.TwoFactorRememberTokens.AsNoTracking().AnyAsync(t =>
            t.TokenHash == hash && t.UserId == user.Id && t.SecurityStamp == user.SecurityStamp && t.ExpirationDate > now
            && db.Devices.Any(d => d.Id == t.DeviceId && d.Identifier == deviceIdentifier));
    }

    /// <summary>
    /// Verifies the code and records its step as used in one conditional UPDATE, so two concurrent logins with the
    /// same code (on any node) cannot both win: only the one that moves <c>TotpLastStep</c> forward succeeds.
    /// A secret that did not decrypt (<paramref name="secret"/> null) accepts no code.
    /// </summary>
    internal static async Task<bool> ClaimTotpStepAsync(CofferDb db, User user, byte[]? secret, string code, DateTime now)
    {
        if (secret is null
            || Totp.Verify(secret, code.Trim(), new DateTimeOffset(now, TimeSpan.Zero), user.TotpLastStep) is not { } step)
        {
            return false;
        }

        var claimed = await db.Users.Where(u => u.Id == user.Id && u.TotpLastStep < step)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.TotpLastStep, step));
        return claimed == 1;
    }

    /// <summary>Account doc §2.4: remove every provider, replace the recovery code, log 1004, and let the login finish.</summary>
    private static async Task RecoverAsync(CofferDb db, User user, Changes changes)
    {
        user.TotpSecret = null;
        user.TwoFactorRecoveryCodeHash = RecoveryCodes.Hash(RecoveryCodes.New());
        user.RevisionDate = changes.Now;
        await RevokeRememberTokensAsync(db, user.Id);
        changes.Record(EventType.UserRecovered2fa, user.Id);
        await PolicyEnforcement.OnTwoFactorDisabledAsync(db, changes, user.Id);
    }

    /// <summary>The challenge of protocol §4.3.3, byte for byte in upstream's casing: the CLI reads <c>TwoFactorProviders2</c> exactly.</summary>
    private static IResult Challenge() => Results.Json(
        new Dictionary<string, object?>
        {
            ["error"] = "invalid_grant",
            ["error_description"] = "Two factor required.",
            ["TwoFactorProviders"] = OfferedProviders,
            ["TwoFactorProviders2"] = new Dictionary<string, object?> { ["0"] = null },
            ["MasterPasswordPolicy"] = new Dictionary<string, string> { ["Object"] = "masterPasswordPolicy" },
        },
        CofferJson.Options,
        statusCode: StatusCodes.Status400BadRequest);

    private static IResult Invalid() => Results.Json(
        new Dictionary<string, object?>
        {
            ["error"] = "invalid_grant",
            ["error_description"] = InvalidToken,
            ["ErrorModel"] = new Dictionary<string, string> { ["Message"] = InvalidToken, ["Object"] = "error" },
            ["message"] = InvalidToken,
        },
        CofferJson.Options,
        statusCode: StatusCodes.Status400BadRequest);
}
