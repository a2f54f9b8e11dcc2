using System.Globalization;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;
using Coffer.Server.Accounts;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Devices;
using Coffer.Server.Identity;
using Coffer.Server.Mail;
using Coffer.Server.Organizations;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.TwoFactor;

/// <summary>
/// The second step of the password grant (protocol §4.3.3, account doc §2.4–§2.5, <c>bitwarden-sharing-features.md</c>
/// §5.3), run after the password has checked out. With any provider on (<see cref="TwoFactorProviders"/>), the grant
/// must carry <c>twoFactorProvider</c> and <c>twoFactorToken</c>: 0 = a TOTP code (±1 step, never a step at or before
/// the last accepted one), 1 = the code mailed for this login (<see cref="EmailCodes"/>), 7 = a security key's
/// assertion (JSON) over the options of the last challenge, 5 = a remember token from an earlier 2FA login on this
/// device, 8 = the recovery code (switches every provider off). Without them, or with an invalid remember token, the
/// answer is the challenge listing every enabled provider, which clients turn into a prompt; a wrong answer is a 400
/// with upstream's text, which the web vault matches on, and counts towards the login lockout.
/// </summary>
public sealed class TwoFactorLogin(CofferDb db, TwoFactorSecrets secrets, Changes changes, Mailer mailer, EmailCodes codes, WebAuthnRelyingParty relyingParty)
{
    public const string InvalidToken = "Two-step token is invalid. Try again.";

    /// <summary>Upstream's and Vaultwarden's remember-token lifetime.</summary>
    public static readonly TimeSpan RememberLifetime = TimeSpan.FromDays(30);

    /// <summary>What the grant does next: refuse with <see cref="Refusal"/>, or go on (and issue a remember token when <see cref="Remember"/>).</summary>
    public sealed record Outcome(IResult? Refusal, bool Remember)
    {
        public static readonly Outcome Passed = new(null, false);

        /// <summary>A wrong code (not a mere challenge): counts towards the account's login lockout.</summary>
        public bool WrongCode { get; init; }
    }

    public async Task<Outcome> CheckAsync(User user, string? provider, string? token, string? remember, string deviceIdentifier)
    {
        ArgumentNullException.ThrowIfNull(user);
        var enabled = await TwoFactorProviders.EnabledAsync(db, user);
        if (enabled.Count == 0)
        {
            // As upstream: 2FA fields are ignored on accounts without a second factor.
            return Outcome.Passed;
        }

        if (string.IsNullOrEmpty(token) || string.IsNullOrEmpty(provider))
        {
            return new Outcome(await ChallengeAsync(user, enabled), false);
        }

        var type = int.TryParse(provider, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : -1;
        var on = enabled.Contains(type);
        switch (type)
        {
            case TwoFactorProviderType.Remember:
                // Invalid or expired: the normal challenge, not an error; the client then forgets it and asks for a code.
                return await RememberTokenIsValidAsync(db, user, token, deviceIdentifier, changes.Now)
                    ? Outcome.Passed
                    : new Outcome(await ChallengeAsync(user, enabled), false);
            case TwoFactorProviderType.Authenticator when on && await ClaimTotpStepAsync(db, user, secrets.Unprotect(user.Id, user.TotpSecret), token, changes.Now):
            case TwoFactorProviderType.Email when on && await codes.CheckAsync(db, user.Id, EmailCodePurpose.LogIn, token, changes.Now):
            case TwoFactorProviderType.WebAuthn when on && await SecurityKeyLogin.VerifyAsync(db, relyingParty, user, token, changes.Now):
                return new Outcome(null, remember == "1");
            case TwoFactorProviderType.RecoveryCode when RecoveryCodes.Matches(token, user.TwoFactorRecoveryCodeHash):
                await RecoverAsync(db, user, changes);
                return Outcome.Passed;
            default:
                changes.Record(EventType.UserFailedLogIn2fa, user.Id, detail: $"provider {type}");
                return new Outcome(Invalid(), false) { WrongCode = true };
        }
    }

    /// <summary>
    /// Mails a login code to the account's provider-1 address (template <c>two-factor-code</c>), unless one mailed
    /// less than <see cref="EmailCodes.ResendAfter"/> ago is still valid; saved and sent with the caller's commit.
    /// </summary>
    public async Task SendLoginCodeAsync(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.TwoFactorEmail is { } address && await codes.IssueAsync(db, user.Id, EmailCodePurpose.LogIn, address, changes.Now) is { } code)
        {
            mailer.Queue(address, "two-factor-code", new Dictionary<string, string?>
            {
                ["code"] = code,
                ["minutes"] = EmailCodes.Lifetime.TotalMinutes.ToString(CultureInfo.InvariantCulture),
            });
        }
    }

    /// <summary>Upstream's redaction for the challenge: the first character of the local part, then <c>***@domain</c>.</summary>
    public static string MaskEmail(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        var at = email.LastIndexOf('@');
        return at <= 0 ? "***" : email[0] + "***" + email[at..];
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

    /// <summary>
    /// Account doc §2.4: remove every provider (authenticator, e-mail, security keys, and what is pending for them),
    /// replace the recovery code, log 1004, and let the login finish.
    /// </summary>
    private static async Task RecoverAsync(CofferDb db, User user, Changes changes)
    {
        user.TotpSecret = null;
        user.TwoFactorEmail = null;
        db.WebAuthnCredentials.RemoveRange(await db.WebAuthnCredentials.Where(c => c.UserId == user.Id && c.Kind == WebAuthnCredentialKind.SecurityKey).ToListAsync());
        db.EmailCodes.RemoveRange(await db.EmailCodes.Where(c => c.UserId == user.Id).ToListAsync());
        db.WebAuthnChallenges.RemoveRange(await db.WebAuthnChallenges.Where(c => c.UserId == user.Id
            && (c.Ceremony == WebAuthnCeremony.LogInWithSecurityKey || c.Ceremony == WebAuthnCeremony.RegisterSecurityKey)).ToListAsync());
        user.TwoFactorRecoveryCodeHash = RecoveryCodes.Hash(RecoveryCodes.New());
        user.RevisionDate = changes.Now;
        await RevokeRememberTokensAsync(db, user.Id);
        changes.Record(EventType.UserRecovered2fa, user.Id);
        await PolicyEnforcement.OnTwoFactorDisabledAsync(db, changes, user.Id);
    }

    /// <summary>
    /// The challenge of protocol §4.3.3 in upstream's casing (the CLI reads <c>TwoFactorProviders2</c> exactly), one entry
    /// per enabled provider: 0 → null; 1 → the masked address (and the code is mailed when e-mail is the only
    /// provider, as upstream and Vaultwarden do; with a choice the client asks with <c>send-email-login</c>);
    /// 7 → fresh assertion options, stored for this attempt (null while <c>Coffer:PublicUrl</c> is unset).
    /// </summary>
    private async Task<IResult> ChallengeAsync(User user, List<int> enabled)
    {
        var providers = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var type in enabled)
        {
            providers[type.ToString(CultureInfo.InvariantCulture)] = type switch
            {
                TwoFactorProviderType.Email => new Dictionary<string, string> { ["Email"] = MaskEmail(user.TwoFactorEmail!) },
                TwoFactorProviderType.WebAuthn => await SecurityKeyLogin.OptionsAsync(db, relyingParty, user.Id, changes.Now),
                _ => null,
            };
        }

        if (enabled is [TwoFactorProviderType.Email])
        {
            await SendLoginCodeAsync(user);
        }

        return Results.Json(
            new Dictionary<string, object?>
            {
                ["error"] = "invalid_grant",
                ["error_description"] = "Two factor required.",
                ["TwoFactorProviders"] = providers.Keys.ToArray(),
                ["TwoFactorProviders2"] = providers,
                ["MasterPasswordPolicy"] = new Dictionary<string, string> { ["Object"] = "masterPasswordPolicy" },
            },
            CofferJson.Options,
            statusCode: StatusCodes.Status400BadRequest);
    }

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
