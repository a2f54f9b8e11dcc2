using Coffer.Protocol.Api;
using Coffer.Server.Abuse;
using Coffer.Server.Accounts;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Devices;
using Coffer.Server.TwoFactor;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Identity;

/// <summary>
/// <c>POST /identity/connect/token</c> (protocol §4.3): the OAuth 2.0 password grant with Bitwarden's device
/// fields, and the refresh-token grant with rotation. Errors are 400 JSON in the OAuth shape (RFC 6749 §5.2)
/// plus Bitwarden's <c>ErrorModel</c>; an unknown e-mail and a wrong password answer identically.
/// </summary>
public static class TokenEndpoints
{
    internal const string BadCredentials = "Username or password is incorrect. Try again.";

    private static readonly string[] DeviceFields = ["clientid", "scope", "deviceidentifier", "devicename", "devicetype"];

    public static void MapToken(this IEndpointRouteBuilder identity)
    {
        identity.MapPost("/connect/token", Token)
            .RateLimited(RateLimitFamily.Token)
            .DisableAntiforgery()
            // No Accepts(form) metadata: routing would answer a JSON body with a bare 415 before the handler
            // could give the OAuth error the client understands (invalid_request).
            .Produces<IdentityTokenResponseModel>()
            .WithTags("Identity")
            .WithSummary("Password and refresh-token grants");
    }

    private static async Task<IResult> Token(
        HttpRequest request, CofferDb db, TokenService tokens, PasswordHashing hashing, Changes changes, LoginLockout lockout, TwoFactorLogin secondFactor,
        WebAuthnRelyingParty rp)
    {
        if (!IsUrlEncodedForm(request))
        {
            return OAuthError("invalid_request", "The token request must be application/x-www-form-urlencoded.");
        }

        TokenForm form;
        try
        {
            form = TokenForm.From(await request.ReadFormAsync(request.HttpContext.RequestAborted));
        }
        catch (InvalidDataException)
        {
            // The form reader refuses what no client sends: a NUL or other control character, too many fields.
            return OAuthError("invalid_request", "The token request is not a valid form.");
        }

        return form.Get("granttype") switch
        {
            // A Send recipient has no account, device or password: routed before any of that is looked at (§3.8).
            Sends.SendAccessGrant.GrantType => await Sends.SendAccessGrant.HandleAsync(request.HttpContext, form.Get),
            "password" => await PasswordGrant(form, db, tokens, hashing, changes, lockout, secondFactor, request.HttpContext.RequestServices.GetRequiredService<Mail.Mailer>()),
            "refresh_token" => await RefreshGrant(form, db, tokens, changes),
            Passkeys.PasskeyLogin.GrantType => await Passkeys.PasskeyLogin.GrantAsync(form.Get, db, tokens, changes, lockout, rp, request.HttpContext.RequestAborted),
            null => OAuthError("invalid_request", "grant_type is required."),
            _ => OAuthError("unsupported_grant_type", "Supported grant types are password, refresh_token, webauthn and send_access."),
        };
    }

    /// <summary>
    /// True for <c>application/x-www-form-urlencoded</c>, the one body the token endpoint takes (RFC 6749 §4.3.2);
    /// multipart forms are refused before anything reads them.
    /// </summary>
    internal static bool IsUrlEncodedForm(HttpRequest request) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
        && type.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    private static async Task<IResult> PasswordGrant(
        TokenForm form, CofferDb db, TokenService tokens, PasswordHashing hashing, Changes changes, LoginLockout lockout, TwoFactorLogin secondFactor,
        Mail.Mailer mailer)
    {
        if (CheckDeviceFields(form.Get, "password", "username") is { } malformed)
        {
            return malformed;
        }

        var deviceType = int.Parse(form.Get("devicetype")!, System.Globalization.CultureInfo.InvariantCulture);

        var email = AccountEmail.Normalize(form.Get("username")!);
        if (await lockout.IsLockedAsync(email))
        {
            // Checked before the account is looked up and without hashing: one answer for every locked e-mail.
            return OAuthError("invalid_grant", LoginLockout.Message);
        }

        var user = await db.Users.SingleOrDefaultAsync(u => u.Email == email);
        var verified = await hashing.VerifyAsync(form.Get("password")!, user?.PasswordHash);
        // A disabled account answers exactly like a wrong password: the login form reveals nothing about it.
        if (user is null || !verified.Valid || user.Disabled)
        {
            changes.Record(EventType.UserFailedLogIn, user?.Id, detail: user is null ? "unknown account" : user.Disabled ? "disabled account" : null);
            await lockout.RecordFailureAsync(email, user?.Id);
            await changes.CommitAsync();
            return OAuthError("invalid_grant", BadCredentials);
        }

        var now = changes.Now;
        if (verified.NewHash is { } upgraded)
        {
            user.PasswordHash = upgraded;
        }

        // Two-step login (account doc §2.5): a challenge or refusal ends the grant here.
        var twoFactor = await secondFactor.CheckAsync(
            user, form.Get("twofactorprovider"), form.Get("twofactortoken"), form.Get("twofactorremember"), form.Get("deviceidentifier")!);
        if (twoFactor.Refusal is { } refusal)
        {
            if (twoFactor.WrongCode)
            {
                // Guessing six digits must run into the same lockout as guessing passwords.
                await lockout.RecordFailureAsync(email, user.Id);
            }

            await changes.CommitAsync();
            return refusal;
        }

        var device = await UpsertDevice(db, user, form.Get("deviceidentifier")!, form.Get("devicename")!, deviceType, now);
        await Mail.NewDeviceAlert.QueueAsync(db, mailer, user, device, now);
        var clientId = form.Get("clientid")!;
        var refresh = IssueRefreshToken(db, tokens, user, device, clientId, now);
        // Only a complete login (past any second factor) clears the failures.
        await lockout.ResetAsync(email);
        var remembered = twoFactor.Remember ? await TwoFactorLogin.IssueRememberTokenAsync(db, user, device, now) : null;
        changes.Record(EventType.UserLoggedIn, user.Id, deviceId: device.Id);
        await changes.CommitAsync();
        return Results.Json(SuccessResponse(tokens, user, device, clientId, refresh, includeKeys: true) with { TwoFactorToken = remembered }, CofferJson.Options);
    }

    /// <summary>
    /// The fields every login grant needs (client id, scope, device) and the grant's own (<paramref name="grantFields"/>):
    /// null when present and well formed, else the OAuth error to answer.
    /// </summary>
    internal static IResult? CheckDeviceFields(Func<string, string?> form, params string[] grantFields)
    {
        foreach (var required in DeviceFields.Concat(grantFields))
        {
            if (string.IsNullOrWhiteSpace(form(required)))
            {
                return OAuthError("invalid_request", $"{required} is required.");
            }
        }

        if (form("scope") != "api offline_access")
        {
            return OAuthError("invalid_scope", "scope must be 'api offline_access'.");
        }

        return !int.TryParse(form("devicetype"), System.Globalization.CultureInfo.InvariantCulture, out var deviceType) || deviceType is < 0 or > 100
            || form("deviceidentifier")!.Length > 128 || form("devicename")!.Length > 128 || form("clientid")!.Length > 64
            ? OAuthError("invalid_request", "deviceType, deviceIdentifier, deviceName or client_id is malformed.")
            : null;
    }

    private static async Task<IResult> RefreshGrant(TokenForm form, CofferDb db, TokenService tokens, Changes changes)
    {
        if (form.Get("refreshtoken") is not { Length: > 0 } presented)
        {
            return OAuthError("invalid_request", "refresh_token is required.");
        }

        if (presented.Length > 256)
        {
            // Ours are 43 characters; anything this long was never issued. invalid_grant makes clients log out.
            return InvalidRefresh();
        }

        var now = changes.Now;
        var hash = TokenService.HashRefreshToken(presented);
        var stored = await db.RefreshTokens.SingleOrDefaultAsync(t => t.TokenHash == hash);
        if (stored is null)
        {
            return InvalidRefresh();
        }

        if (stored.ConsumedDate is not null)
        {
            return await RevokeCopiedAsync(db, stored);
        }

        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == stored.UserId);
        var device = await db.Devices.AsNoTracking().SingleOrDefaultAsync(d => d.Id == stored.DeviceId);
        if (user is null || device is null || stored.ExpirationDate <= now || stored.SecurityStamp != user.SecurityStamp || user.Disabled)
        {
            return InvalidRefresh();
        }

        // Single use: the claim commits in one transaction with its successor, so a failure in between never leaves
        // the device with a consumed token and no new one. ConsumedDate is a concurrency token (CofferDb): of two
        // concurrent redemptions (on any node) the second fails to claim it.
        stored.ConsumedDate = now;
        var refresh = IssueRefreshToken(db, tokens, user, device, stored.ClientId, now);
        try
        {
            await changes.CommitAsync();
        }
        catch (DbUpdateConcurrencyException)
        {
            return await RevokeCopiedAsync(db, stored);
        }

        return Results.Json(SuccessResponse(tokens, user, device, stored.ClientId, refresh, includeKeys: false), CofferJson.Options);
    }

    /// <summary>A consumed token presented again means it was copied: end that device's whole session.</summary>
    private static async Task<IResult> RevokeCopiedAsync(CofferDb db, RefreshToken stored)
    {
        await db.RefreshTokens.Where(t => t.DeviceId == stored.DeviceId).ExecuteDeleteAsync();
        return InvalidRefresh();
    }

    internal static async Task<Device> UpsertDevice(CofferDb db, User user, string identifier, string name, int type, DateTime now)
    {
        var device = await db.Devices.SingleOrDefaultAsync(d => d.UserId == user.Id && d.Identifier == identifier);
        if (device is null)
        {
            device = new Device { Id = Guid.NewGuid(), UserId = user.Id, Identifier = identifier, Name = name, Type = type, CreationDate = now };
            db.Devices.Add(device);
        }

        device.Name = name;
        device.Type = type;
        device.RevisionDate = now;
        return device;
    }

    internal static string IssueRefreshToken(CofferDb db, TokenService tokens, User user, Device device, string clientId, DateTime now)
    {
        var (token, hash) = TokenService.NewRefreshToken();
        db.RefreshTokens.Add(new RefreshToken
        {
            Id = Guid.NewGuid(),
            UserId = user.Id,
            DeviceId = device.Id,
            TokenHash = hash,
            SecurityStamp = user.SecurityStamp,
            ClientId = clientId,
            CreationDate = now,
            ExpirationDate = now.AddDays(tokens.RefreshTokenDays),
        });
        return token;
    }

    internal static IdentityTokenResponseModel SuccessResponse(TokenService tokens, User user, Device device, string clientId, string refreshToken, bool includeKeys)
    {
        var response = new IdentityTokenResponseModel
        {
            AccessToken = tokens.CreateAccessToken(user, device, clientId),
            ExpiresIn = (int)tokens.AccessTokenLifetime.TotalSeconds,
            RefreshToken = refreshToken,
        };
        if (!includeKeys)
        {
            return response;
        }

        return response with
        {
            Key = user.Key,
            PrivateKey = user.PrivateKey,
            AccountKeys = AccountResponses.AccountKeys(user),
            Kdf = user.Kdf,
            KdfIterations = user.KdfIterations,
            KdfMemory = user.KdfMemory,
            KdfParallelism = user.KdfParallelism,
            UserDecryptionOptions = new UserDecryptionOptionsModel
            {
                MasterPasswordUnlock = new TokenMasterPasswordUnlockModel
                {
                    Kdf = new TokenKdfModel { KdfType = user.Kdf, Iterations = user.KdfIterations, Memory = user.KdfMemory, Parallelism = user.KdfParallelism },
                    MasterKeyEncryptedUserKey = user.Key,
                    MasterKeyWrappedUserKey = user.Key,
                    Salt = user.Email,
                },
            },
        };
    }

    private static IResult InvalidRefresh() => OAuthError("invalid_grant", "The refresh token is invalid, expired or already used.");

    internal static IResult OAuthError(string error, string description) => Results.Json(
        new Dictionary<string, object?>
        {
            ["error"] = error,
            ["error_description"] = description,
            ["ErrorModel"] = new Dictionary<string, string> { ["Message"] = description, ["Object"] = "error" },
            ["message"] = description,
        },
        CofferJson.Options,
        statusCode: StatusCodes.Status400BadRequest);

    /// <summary>
    /// The form with names folded: the CLI mixes <c>grant_type</c> and <c>deviceType</c>, so names are matched
    /// case-insensitively with underscores ignored (as Vaultwarden does). A repeated field is refused.
    /// </summary>
    private sealed class TokenForm(Dictionary<string, string?> values)
    {
        public static TokenForm From(IFormCollection form)
        {
            var values = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var (name, value) in form)
            {
                values[name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant()] = value.Count == 1 ? value[0] : null;
            }

            return new TokenForm(values);
        }

        public string? Get(string foldedName) => values.GetValueOrDefault(foldedName);
    }
}
