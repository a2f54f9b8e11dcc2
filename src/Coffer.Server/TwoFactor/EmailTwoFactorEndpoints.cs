using System.Globalization;
using System.Security.Claims;
using Coffer.Protocol.Api;
using Coffer.Server.Abuse;
using Coffer.Server.Accounts;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Identity;
using Coffer.Server.Mail;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.TwoFactor;

/// <summary>
/// Two-step login by e-mailed code (provider 1; upstream <c>TwoFactorController</c>, the client's
/// <c>default-two-factor-api.service.ts</c>): <c>get-email</c> proves the master password and mints a
/// <c>userVerificationToken</c>; <c>send-email</c> mails a setup code to the address to be used, <c>PUT email</c>
/// turns the provider on with that code (so only a mailbox the user reads can receive login codes);
/// <c>DELETE email</c> turns it off; <c>send-email-login</c> (no access token: the login is in progress) mails a login
/// code after checking the master password hash again (protocol §4.15). Codes: <see cref="EmailCodes"/>. Needs mail
/// (<c>Coffer:Smtp</c>): without it the provider cannot be turned on.
/// </summary>
public static class EmailTwoFactorEndpoints
{
    public const string NeedsMail = "Two-step login by e-mail needs outgoing mail: set Coffer:Smtp:Host.";

    private const int Provider = TwoFactorProviderType.Email;

    public static void MapEmailTwoFactor(this RouteGroupBuilder group)
    {
        group.MapPost("/get-email", Get).Produces<TwoFactorEmailResponseModel>()
            .WithSummary("Re-verify the master password; the e-mail provider's state and a 30-minute verification token");
        group.MapPost("/send-email", SendSetupCode)
            .WithSummary("Mail a setup code (valid 10 minutes) to the address that is to receive login codes");
        group.MapPut("/email", Enable).Produces<TwoFactorEmailResponseModel>()
            .WithSummary("Turn two-step login by e-mail on with the setup code mailed to that address");
        group.MapPost("/email", Enable).Produces<TwoFactorEmailResponseModel>().WithSummary("Obsolete alias of PUT /email");
        group.MapDelete("/email", Disable).WithSummary("Turn two-step login by e-mail off");
        group.MapPost("/send-email-login", SendLoginCode).AllowAnonymous()
            .WithSummary("During a login: check the e-mail and master password hash again and mail a login code (valid 10 minutes)");
    }

    private static async Task<IResult> Get(
        SecretVerificationRequestModel request, ClaimsPrincipal principal, CofferDb db, MasterPasswordProof proof, UserVerificationTokens tokens, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == principal.UserId(), ct);
        if (await TwoFactorEndpoints.CheckPasswordAsync(proof, request, user, ct) is { } denied)
        {
            return denied;
        }

        return Results.Json(
            new TwoFactorEmailResponseModel
            {
                Email = new() { Enabled = user.TwoFactorEmail is not null, Email = user.TwoFactorEmail ?? user.Email },
                UserVerificationToken = tokens.CreateForProvider(user.Id, Provider),
            },
            CofferJson.Options);
    }

    private static async Task<IResult> SendSetupCode(
        TwoFactorEmailRequestModel request, ClaimsPrincipal principal, CofferDb db, MasterPasswordProof proof, UserVerificationTokens tokens,
        EmailCodes codes, Mailer mailer, Changes changes, CancellationToken ct)
    {
        var user = await db.Users.SingleAsync(u => u.Id == principal.UserId(), ct);
        if (await TwoFactorEndpoints.ProveAsync(tokens, proof, request, request.UserVerificationToken, Provider, user, ct) is { } denied)
        {
            return denied;
        }

        if (!mailer.Enabled)
        {
            return BitwardenErrors.BadRequest(NeedsMail);
        }

        if (Address(request.Email) is not { } address)
        {
            return BitwardenErrors.BadRequest("A valid e-mail address is required.", "Email");
        }

        if (await codes.IssueAsync(db, user.Id, EmailCodePurpose.Setup, address, changes.Now, ct) is { } code)
        {
            mailer.Queue(address, "two-factor-setup", new Dictionary<string, string?>
            {
                ["code"] = code,
                ["minutes"] = EmailCodes.Lifetime.TotalMinutes.ToString(CultureInfo.InvariantCulture),
            });
            await changes.CommitAsync(ct: ct);
        }

        return Results.Ok();
    }

    private static async Task<IResult> Enable(
        TwoFactorEmailRequestModel request, ClaimsPrincipal principal, CofferDb db, MasterPasswordProof proof, UserVerificationTokens tokens,
        EmailCodes codes, Changes changes, CancellationToken ct)
    {
        var user = await db.Users.SingleAsync(u => u.Id == principal.UserId(), ct);
        if (await TwoFactorEndpoints.ProveAsync(tokens, proof, request, request.UserVerificationToken, Provider, user, ct) is { } denied)
        {
            return denied;
        }

        // The code proves the mailbox: it was mailed to exactly this address for this account's setup.
        if (Address(request.Email) is not { } address
            || !await codes.CheckAsync(db, user.Id, EmailCodePurpose.Setup, request.Token, changes.Now, address, ct))
        {
            return BitwardenErrors.BadRequest("Invalid token.", "Token");
        }

        user.TwoFactorEmail = address;
        await TwoFactorEndpoints.CommitEnabledAsync(db, user, changes, "email", ct);
        return Results.Json(new TwoFactorEmailResponseModel { Email = new() { Enabled = true, Email = address } }, CofferJson.Options);
    }

    private static async Task<IResult> Disable(
        [FromBody] TwoFactorEmailRequestModel request, ClaimsPrincipal principal, CofferDb db, MasterPasswordProof proof, UserVerificationTokens tokens,
        Changes changes, CancellationToken ct)
    {
        var user = await db.Users.SingleAsync(u => u.Id == principal.UserId(), ct);
        if (await TwoFactorEndpoints.ProveAsync(tokens, proof, request, request.UserVerificationToken, Provider, user, ct) is { } denied)
        {
            return denied;
        }

        await DisableAsync(db, user, changes, ct);
        return Results.Ok();
    }

    /// <summary>Turns provider 1 off (and drops its pending codes); nothing when it is off.</summary>
    internal static async Task DisableAsync(CofferDb db, User user, Changes changes, CancellationToken ct)
    {
        if (user.TwoFactorEmail is null)
        {
            return;
        }

        user.TwoFactorEmail = null;
        db.EmailCodes.RemoveRange(await db.EmailCodes.Where(c => c.UserId == user.Id).ToListAsync(ct));
        await TwoFactorEndpoints.CommitDisabledAsync(db, user, changes, "email", keysRemain: await TwoFactorProviders.HasSecurityKeysAsync(db, user.Id, ct), ct);
    }

    /// <summary>
    /// Protocol §4.15. The password is checked as the password grant checks it (same lockout, same answer for an
    /// unknown account, a wrong password or a disabled account), so this route is no better an oracle than the login.
    /// </summary>
    private static async Task<IResult> SendLoginCode(
        TwoFactorEmailLoginRequestModel request, CofferDb db, PasswordHashing hashing, LoginLockout lockout, TwoFactorLogin secondFactor, Changes changes)
    {
        if (string.IsNullOrWhiteSpace(request.Email) || request.Email.Length > 256
            || request.MasterPasswordHash is not { Length: > 0 and <= 300 } hash)
        {
            return BitwardenErrors.BadRequest(TokenEndpoints.BadCredentials);
        }

        var email = AccountEmail.Normalize(request.Email);
        if (await lockout.IsLockedAsync(email))
        {
            return BitwardenErrors.BadRequest(LoginLockout.Message);
        }

        var user = await db.Users.SingleOrDefaultAsync(u => u.Email == email);
        var verified = await hashing.VerifyAsync(hash, user?.PasswordHash);
        if (user is null || !verified.Valid || user.Disabled)
        {
            changes.Record(EventType.UserFailedLogIn, user?.Id, detail: "send-email-login");
            await lockout.RecordFailureAsync(email, user?.Id);
            await changes.CommitAsync();
            return BitwardenErrors.BadRequest(TokenEndpoints.BadCredentials);
        }

        if (user.TwoFactorEmail is null)
        {
            return BitwardenErrors.BadRequest("Two-step login by e-mail is not enabled for this account.");
        }

        await secondFactor.SendLoginCodeAsync(user);
        await changes.CommitAsync();
        return Results.Ok();
    }

    private static string? Address(string? email)
    {
        var trimmed = email?.Trim();
        return trimmed is { Length: > 2 and <= 256 } && trimmed.IndexOf('@', StringComparison.Ordinal) > 0 && !trimmed.Any(char.IsWhiteSpace)
            ? AccountEmail.Normalize(trimmed)
            : null;
    }
}
