using System.Security.Claims;
using System.Security.Cryptography;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;
using Coffer.Server.Abuse;
using Coffer.Server.Accounts;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Identity;
using Coffer.Server.Organizations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.TwoFactor;

/// <summary>
/// Two-step login settings under <c>/api/two-factor</c> (account doc §2.2–§2.4, protocol §4.16): the provider list,
/// the authenticator (TOTP), the recovery code and the legacy disable route here; e-mail codes (provider 1) in
/// <see cref="EmailTwoFactorEndpoints"/>, security keys (provider 7) in <see cref="WebAuthnTwoFactorEndpoints"/>.
/// The server must compute codes to check them, so it keeps the TOTP secret, encrypted at rest under a
/// key derived from its signing key (<see cref="TwoFactorSecrets"/>), which is not in the database or its backups.
/// Failed re-verification answers 400 (never 401 or 403, which log the client out: account doc §1).
/// Every change bumps the account's revision date, so sync's cached profile shows <c>twoFactorEnabled</c> at once.
/// </summary>
public static class TwoFactorEndpoints
{
    internal const string VerificationFailed = "User verification failed.";

    public static IServiceCollection AddTwoFactor(this IServiceCollection services) =>
        services.AddSingleton<UserVerificationTokens>().AddSingleton<TwoFactorSecrets>().AddSingleton<EmailCodes>().AddScoped<TwoFactorLogin>();

    public static void MapTwoFactor(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/two-factor").RateLimited(RateLimitFamily.TwoFactor).WithTags("Two-factor");
        group.MapGet("", List).Produces<ListResponseModel<TwoFactorProviderResponseModel>>()
            .WithSummary("The enabled providers: 0 authenticator app, 1 e-mail codes, 7 security keys");
        group.MapPost("/get-authenticator", GetAuthenticator).Produces<TwoFactorAuthenticatorResponseModel>()
            .WithSummary("Re-verify the master password; the TOTP key (fresh if off) and a 30-minute verification token");
        group.MapPut("/authenticator", EnableAuthenticator).Produces<TwoFactorAuthenticatorResponseModel>()
            .WithSummary("Turn TOTP on with a current code for the key");
        group.MapPost("/authenticator", EnableAuthenticator).Produces<TwoFactorAuthenticatorResponseModel>()
            .WithSummary("Obsolete alias of PUT");
        group.MapDelete("/authenticator", DisableAuthenticator).WithSummary("Turn TOTP off");
        group.MapPut("/disable", DisableLegacy).Produces<TwoFactorProviderResponseModel>().WithSummary("Older clients' way to turn a provider off");
        group.MapPost("/disable", DisableLegacy).Produces<TwoFactorProviderResponseModel>().WithSummary("Obsolete alias of PUT /disable");
        group.MapPost("/get-recover", GetRecover).Produces<TwoFactorRecoverResponseModel>()
            .WithSummary("Re-verify the master password; issues a new recovery code (the previous one stops working)");
        group.MapEmailTwoFactor();
        group.MapWebAuthnTwoFactor();
    }

    private static async Task<IResult> List(ClaimsPrincipal principal, CofferDb db, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == principal.UserId(), ct);
        List<TwoFactorProviderResponseModel> data = [.. (await TwoFactorProviders.EnabledAsync(db, user, ct)).Select(type => new TwoFactorProviderResponseModel { Enabled = true, Type = type })];
        return Results.Json(new ListResponseModel<TwoFactorProviderResponseModel> { Data = data }, CofferJson.Options);
    }

    private static async Task<IResult> GetAuthenticator(
        SecretVerificationRequestModel request, ClaimsPrincipal principal, CofferDb db, MasterPasswordProof proof, UserVerificationTokens tokens,
        TwoFactorSecrets secrets, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == principal.UserId(), ct);
        if (await CheckPasswordAsync(proof, request, user, ct) is { } denied)
        {
            return denied;
        }

        // Nothing is stored yet: the key only counts once a code for it comes back (PUT). A stored secret that does not
        // decrypt (the signing key changed) is useless, so a fresh one is offered to replace it.
        var secret = secrets.Unprotect(user.Id, user.TotpSecret) ?? Totp.NewSecret();
        var key = Base32.Encode(secret);
        var enabled = user.TotpSecret is not null;
        return Results.Json(
            new TwoFactorAuthenticatorResponseModel
            {
                Authenticator = new() { Enabled = enabled, Key = key },
                Enabled = enabled,
                Key = key,
                UserVerificationToken = tokens.Create(user.Id, secret),
            },
            CofferJson.Options);
    }

    private static async Task<IResult> EnableAuthenticator(
        UpdateTwoFactorAuthenticatorRequestModel request, ClaimsPrincipal principal, CofferDb db, MasterPasswordProof proof,
        UserVerificationTokens tokens, TwoFactorSecrets secrets, Changes changes, CancellationToken ct)
    {
        var user = await db.Users.SingleAsync(u => u.Id == principal.UserId(), ct);
        if (!tokens.IsValid(request.UserVerificationToken, user.Id, request.Key) && await CheckPasswordAsync(proof, request, user, ct) is { } denied)
        {
            return denied;
        }

        if (!Base32.TryDecode(request.Key, out var secret))
        {
            return BitwardenErrors.BadRequest("Invalid totp secret: the key must be Base32 (RFC 4648).", "Key");
        }

        if (secret.Length != Totp.SecretBytes)
        {
            return BitwardenErrors.BadRequest("Invalid key length: the key must be 20 bytes (32 Base32 characters).", "Key");
        }

        // Re-submitting the key already in use must not replay a code that was already accepted.
        var key = Base32.Encode(secret);
        var lastStep = secrets.Unprotect(user.Id, user.TotpSecret) is { } current && CryptographicOperations.FixedTimeEquals(current, secret)
            ? user.TotpLastStep
            : long.MinValue;
        if (Totp.Verify(secret, request.Token?.Trim(), new DateTimeOffset(changes.Now, TimeSpan.Zero), lastStep) is not { } step)
        {
            return BitwardenErrors.BadRequest("Invalid token.", "Token");
        }

        user.TotpSecret = secrets.Protect(user.Id, secret);
        user.TotpLastStep = step;
        await CommitEnabledAsync(db, user, changes, "authenticator", ct);
        return Results.Json(
            new TwoFactorAuthenticatorResponseModel
            {
                Authenticator = new() { Enabled = true, Key = key },
                Enabled = true,
                Key = key,
                Object = "twoFactorAuthenticatorUpdate",
            },
            CofferJson.Options);
    }

    private static async Task<IResult> DisableAuthenticator(
        [FromBody] DisableTwoFactorAuthenticatorRequestModel request, ClaimsPrincipal principal, CofferDb db, MasterPasswordProof proof,
        UserVerificationTokens tokens, TwoFactorSecrets secrets, Changes changes, CancellationToken ct)
    {
        var user = await db.Users.SingleAsync(u => u.Id == principal.UserId(), ct);
        if (!tokens.IsValid(request.UserVerificationToken, user.Id, request.Key) && await CheckPasswordAsync(proof, request, user, ct) is { } denied)
        {
            return denied;
        }

        // The key must be the one in use: a token minted for a key the user was merely shown does not switch TOTP off.
        // A stored secret that no longer decrypts can be switched off: it is unusable, and the caller has proven itself.
        if (request.Key is not null && secrets.Unprotect(user.Id, user.TotpSecret) is { } current && !SameKey(request.Key, current))
        {
            return BitwardenErrors.BadRequest(VerificationFailed);
        }

        await DisableAuthenticatorAsync(db, user, changes, ct);
        return Results.Ok();
    }

    private static async Task<IResult> DisableLegacy(
        TwoFactorProviderRequestModel request, ClaimsPrincipal principal, CofferDb db, MasterPasswordProof proof, Changes changes, CancellationToken ct)
    {
        var user = await db.Users.SingleAsync(u => u.Id == principal.UserId(), ct);
        if (await CheckPasswordAsync(proof, request, user, ct) is { } denied)
        {
            return denied;
        }

        if (request.Type is not { } type)
        {
            return BitwardenErrors.BadRequest("type is required.", "Type");
        }

        switch (type)
        {
            case TwoFactorProviderType.Authenticator:
                await DisableAuthenticatorAsync(db, user, changes, ct);
                break;
            case TwoFactorProviderType.Email:
                await EmailTwoFactorEndpoints.DisableAsync(db, user, changes, ct);
                break;
            case TwoFactorProviderType.WebAuthn:
                await WebAuthnTwoFactorEndpoints.RemoveKeysAsync(db, user, changes, slot: null, ct);
                break;
        }

        return Results.Json(new TwoFactorProviderResponseModel { Enabled = false, Type = type }, CofferJson.Options);
    }

    private static async Task<IResult> GetRecover(
        SecretVerificationRequestModel request, ClaimsPrincipal principal, CofferDb db, MasterPasswordProof proof, Changes changes, CancellationToken ct)
    {
        var user = await db.Users.SingleAsync(u => u.Id == principal.UserId(), ct);
        if (await CheckPasswordAsync(proof, request, user, ct) is { } denied)
        {
            return denied;
        }

        // Upstream answers code: null while no provider is on; a code would recover nothing.
        if (!await TwoFactorProviders.AnyAsync(db, user, ct))
        {
            return Results.Json(new TwoFactorRecoverResponseModel(), CofferJson.Options);
        }

        var code = RecoveryCodes.New();
        user.TwoFactorRecoveryCodeHash = RecoveryCodes.Hash(code);
        user.RevisionDate = changes.Now;
        await changes.CommitAsync(ct: ct);
        return Results.Json(new TwoFactorRecoverResponseModel { Code = code }, CofferJson.Options);
    }

    private static async Task DisableAuthenticatorAsync(CofferDb db, User user, Changes changes, CancellationToken ct)
    {
        if (user.TotpSecret is null)
        {
            return;
        }

        user.TotpSecret = null;
        await CommitDisabledAsync(db, user, changes, "authenticator", keysRemain: await TwoFactorProviders.HasSecurityKeysAsync(db, user.Id, ct), ct);
    }

    /// <summary>
    /// Commits a provider's removal (already applied to <paramref name="user"/> or queued on <paramref name="db"/>):
    /// remember tokens end, event 1003 is logged, and when no provider is left (<paramref name="keysRemain"/> says
    /// whether security keys do) organizations that require two-step login revoke the account's membership
    /// (Organizations/PolicyEnforcement).
    /// </summary>
    internal static async Task CommitDisabledAsync(CofferDb db, User user, Changes changes, string provider, bool keysRemain, CancellationToken ct)
    {
        user.RevisionDate = changes.Now;
        await TwoFactorLogin.RevokeRememberTokensAsync(db, user.Id, ct);
        changes.Record(EventType.UserDisabled2fa, user.Id, detail: provider);
        var stillOn = user.TotpSecret is not null || user.TwoFactorEmail is not null || keysRemain;
        var revoked = !stillOn && await PolicyEnforcement.OnTwoFactorDisabledAsync(db, changes, user.Id, ct);
        await changes.CommitAsync(revoked ? user.Id : null, ct);
    }

    /// <summary>
    /// Commits a provider's first enabling or a change to it: creates the recovery code when there is none yet (both
    /// servers do on first enable, account doc §2.4), ends remember tokens and logs event 1002.
    /// </summary>
    internal static async Task CommitEnabledAsync(CofferDb db, User user, Changes changes, string provider, CancellationToken ct)
    {
        user.TwoFactorRecoveryCodeHash ??= RecoveryCodes.Hash(RecoveryCodes.New());
        user.RevisionDate = changes.Now;
        await TwoFactorLogin.RevokeRememberTokensAsync(db, user.Id, ct);
        changes.Record(EventType.UserUpdated2fa, user.Id, detail: provider);
        await changes.CommitAsync(ct: ct);
    }

    /// <summary>
    /// The proof of the e-mail and security-key routes (§5.2): a <c>userVerificationToken</c> minted for this account
    /// and provider by its <c>get-*</c> read, else the master password hash (older clients). Null when proven.
    /// </summary>
    internal static async Task<IResult?> ProveAsync(
        UserVerificationTokens tokens, MasterPasswordProof proof, SecretVerificationRequestModel request, string? token, int provider, User user, CancellationToken ct) =>
        tokens.IsValidForProvider(token, user.Id, provider) ? null : await CheckPasswordAsync(proof, request, user, ct);

    /// <summary>
    /// Account doc §1: the master password hash, through the budget and lockout every re-verification shares. OTP
    /// proofs exist only for accounts without a master password, which Coffer does not have, so they always fail.
    /// </summary>
    internal static Task<IResult?> CheckPasswordAsync(MasterPasswordProof proof, SecretVerificationRequestModel request, User user, CancellationToken ct) =>
        proof.CheckAsync(request.MasterPasswordHash, user, BitwardenErrors.BadRequest(VerificationFailed), ct);

    private static bool SameKey(string presented, byte[] current) =>
        Base32.TryDecode(presented, out var a) && CryptographicOperations.FixedTimeEquals(a, current);
}
