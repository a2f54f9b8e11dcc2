using System.Net.Mail;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;
using Coffer.Server.Abuse;
using Coffer.Server.Admin;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Identity;
using Coffer.Server.Mail;
using Coffer.Server.Organizations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Accounts;

/// <summary>
/// Sign-up (protocol §5): the two-step flow of current clients (<c>send-verification-email</c> then
/// <c>register/finish</c>) and the legacy single request. The server never sees the master password: it stores
/// the client's KDF settings, wrapped keys and an Argon2id re-hash of the master password hash.
/// The registration mode (<see cref="RegistrationModes"/>) gates all three routes: closed refuses, invite-only
/// needs an admin's invitation for that e-mail, which is marked used in the transaction that creates the account.
/// </summary>
public static class RegistrationEndpoints
{
    private const int MaxEmailLength = 256;
    private const int MaxNameLength = 50;
    private const string ClosedMessage = "Registration is closed on this server.";

    public static void MapRegistration(this IEndpointRouteBuilder identity)
    {
        var registration = identity.MapGroup("/accounts/register").RateLimited(RateLimitFamily.Registration);
        registration.MapPost("/send-verification-email", SendVerificationEmail).WithTags("Accounts")
            .WithSummary("Start sign-up: returns the registration token, or with Coffer:Registration:VerifyEmail mails a link carrying it and answers 204");
        registration.MapPost("/finish", Finish).WithTags("Accounts").WithSummary("Finish sign-up with keys and KDF");
        registration.MapPost("", Register).WithTags("Accounts").WithSummary("Legacy single-request sign-up");
    }

    /// <summary>
    /// §5.1. Without <c>Coffer:Registration:VerifyEmail</c> the token is the answer. With it, the token goes only into a
    /// link mailed to the address (template <c>verify-email</c>, <c>#/finish-signup?token=…&amp;email=…&amp;fromEmail=true</c>
    /// as upstream's web vault expects) and the answer is 204 whatever the address: an address that already has an
    /// account is sent nothing, and the caller cannot tell.
    /// </summary>
    private static async Task<IResult> SendVerificationEmail(
        RegisterSendVerificationEmailRequestModel request, TokenService tokens, CofferDb db, Mailer mailer, Changes changes, IOptions<ServerOptions> options)
    {
        // Invite-only still hands out the token: finishing is where the invitation is checked.
        if (await db.GetRegistrationModeAsync(options.Value) == RegistrationModes.Closed)
        {
            return BitwardenErrors.BadRequest(ClosedMessage);
        }

        if (NormalizeEmail(request.Email) is not { } email)
        {
            return BitwardenErrors.BadRequest("A valid e-mail address is required.", "email");
        }

        if (request.Name is { Length: > MaxNameLength })
        {
            return BitwardenErrors.BadRequest($"The name may be at most {MaxNameLength} characters.", "name");
        }

        var verification = options.Value.Registration;
        if (verification.VerifyEmail && mailer.Enabled)
        {
            if (!await db.Users.AnyAsync(u => u.Email == email))
            {
                var hours = verification.VerificationHours;
                var token = tokens.CreateRegistrationToken(email, request.Name, TimeSpan.FromHours(hours));
                mailer.Queue(email, "verify-email", new Dictionary<string, string?>
                {
                    ["link"] = $"{mailer.VaultUrl}/#/finish-signup?token={Uri.EscapeDataString(token)}&email={Uri.EscapeDataString(email)}&fromEmail=true",
                    ["hours"] = hours.ToString(System.Globalization.CultureInfo.InvariantCulture),
                });
                await changes.CommitAsync();
            }

            return Results.NoContent();
        }

        // Whether the e-mail is taken is not said here; finishing is where a duplicate is refused.
        return Results.Json(tokens.CreateRegistrationToken(email, request.Name), CofferJson.Options);
    }

    private static async Task<IResult> Finish(RegisterFinishRequestModel request, CofferDb db, TokenService tokens, PasswordHashing hashing, Changes changes, IOptions<ServerOptions> options)
    {
        // An organization's invitation link for this e-mail also stands in for the verification token (as upstream's
        // org invites do), but it is no server admin's invitation, so it opens no invite-only server.
        var organizationInvite = OrganizationInvitations.Read(tokens, new DateTimeOffset(changes.Now, TimeSpan.Zero), request.OrgInviteToken) is { } claims
            && claims.Email == NormalizeEmail(request.Email);
        var (email, invitation, refusal) = await AdmitAsync(db, options.Value, request.Email, request.InviteToken ?? (organizationInvite ? null : request.OrgInviteToken), changes.Now);
        if (refusal is not null)
        {
            return refusal;
        }

        // An invitation was issued for this e-mail, so it stands in for the verification token (as Bitwarden's org invites do).
        if (((invitation is null && !organizationInvite) || request.EmailVerificationToken is not null)
            && (string.IsNullOrEmpty(request.EmailVerificationToken)
                || await tokens.ValidateRegistrationTokenAsync(request.EmailVerificationToken) != email))
        {
            return BitwardenErrors.BadRequest("The registration token is missing, expired or for another e-mail.", "emailVerificationToken");
        }

        var authentication = request.MasterPasswordAuthentication;
        var unlock = request.MasterPasswordUnlock;
        var flatKdf = request.Kdf is { } type ? new KdfConfig(type, request.KdfIterations ?? 0, request.KdfMemory, request.KdfParallelism) : null;
        var kdfs = new[] { flatKdf, authentication?.Kdf?.ToConfig(), unlock?.Kdf?.ToConfig() }.OfType<KdfConfig>().Distinct().ToList();
        if (kdfs.Count != 1)
        {
            return BitwardenErrors.BadRequest(kdfs.Count == 0 ? "KDF settings are required." : "The KDF settings of the request disagree.", "kdf");
        }

        if (new[] { authentication?.Salt, unlock?.Salt }.Any(salt => salt is not null && salt != email))
        {
            return BitwardenErrors.BadRequest("The salt must be the trimmed, lowercased e-mail.", "salt");
        }

        if (Agreed(request.MasterPasswordHash, authentication?.MasterPasswordAuthenticationHash) is not { } hash)
        {
            return BitwardenErrors.BadRequest("The master password hash is missing or the two copies disagree.", "masterPasswordHash");
        }

        if (Agreed(request.UserSymmetricKey, unlock?.MasterKeyWrappedUserKey) is not { } key)
        {
            return BitwardenErrors.BadRequest("The protected user key is missing or the two copies disagree.", "userSymmetricKey");
        }

        if (unlock?.ContainedKeyId is { } keyId && !WireValidation.IsKeyId(keyId))
        {
            return BitwardenErrors.BadRequest("containedKeyId must be 32 lowercase hexadecimal characters.", "containedKeyId");
        }

        return await Create(db, hashing, changes, new Registration(email, request.Name, request.MasterPasswordHint, hash, kdfs[0], key, request.UserAsymmetricKeys, unlock?.ContainedKeyId), invitation);
    }

    private static async Task<IResult> Register(RegisterRequestModel request, CofferDb db, PasswordHashing hashing, Changes changes, IOptions<ServerOptions> options)
    {
        var (email, invitation, refusal) = await AdmitAsync(db, options.Value, request.Email, request.InviteToken ?? request.OrgInviteToken, changes.Now);
        if (refusal is not null)
        {
            return refusal;
        }

        if (request.Kdf is not { } type || request.MasterPasswordHash is not { } hash || request.Key is not { } key)
        {
            return BitwardenErrors.BadRequest("kdf, masterPasswordHash and key are required.");
        }

        if (invitation is null && options.Value.Registration.VerifyEmail)
        {
            // This single request carries no proof of the mailbox; only an admin's (mailed) invitation stands in for one.
            return BitwardenErrors.BadRequest("This server verifies e-mail addresses: sign up with the link it mails (send-verification-email, then register/finish).", "email");
        }

        var kdf = new KdfConfig(type, request.KdfIterations ?? 0, request.KdfMemory, request.KdfParallelism);
        return await Create(db, hashing, changes, new Registration(email, request.Name, request.MasterPasswordHint, hash, kdf, key, request.Keys, null), invitation);
    }

    /// <summary>
    /// Who may sign up, shared by both sign-up routes: refuses when registration is closed, when the e-mail is not
    /// valid, or when the invitation (required in invite-only mode) does not check out.
    /// </summary>
    private static async Task<(string Email, Invitation? Invitation, IResult? Refusal)> AdmitAsync(
        CofferDb db, ServerOptions options, string? rawEmail, string? inviteToken, DateTime now)
    {
        var mode = await db.GetRegistrationModeAsync(options);
        if (mode == RegistrationModes.Closed)
        {
            return ("", null, BitwardenErrors.BadRequest(ClosedMessage));
        }

        if (NormalizeEmail(rawEmail) is not { } email)
        {
            return ("", null, BitwardenErrors.BadRequest("A valid e-mail address is required.", "email"));
        }

        var (invitation, inviteError) = await CheckInvitation(db, mode, email, inviteToken, now);
        return (email, invitation, inviteError);
    }

    /// <summary>
    /// A presented invitation token must open an invitation for this e-mail in any mode; invite-only mode needs one.
    /// Unknown, expired, used and other-e-mail tokens share one message, so a guess learns nothing.
    /// </summary>
    private static async Task<(Invitation? Invitation, IResult? Error)> CheckInvitation(CofferDb db, string mode, string email, string? token, DateTime now)
    {
        if (token is null)
        {
            return mode == RegistrationModes.Invite
                ? (null, BitwardenErrors.BadRequest("Registration on this server needs an invitation from an admin.", "inviteToken"))
                : (null, null);
        }

        return await Invitations.FindUsableAsync(db, email, token, now) is { } invitation
            ? (invitation, null)
            : (null, BitwardenErrors.BadRequest("The invitation is invalid, expired, already used or for another e-mail address.", "inviteToken"));
    }

    private sealed record Registration(string Email, string? Name, string? Hint, string MasterPasswordHash, KdfConfig Kdf, string Key, KeysRequestModel? Keys, string? UserKeyId);

    private static async Task<IResult> Create(CofferDb db, PasswordHashing hashing, Changes changes, Registration r, Invitation? invitation)
    {
        if (r.Kdf.Validate() is { } kdfError)
        {
            return BitwardenErrors.BadRequest(kdfError, "kdf");
        }

        if (r.Name is { Length: > MaxNameLength } || r.Hint is { Length: > MaxNameLength })
        {
            return BitwardenErrors.BadRequest($"The name and the hint may be at most {MaxNameLength} characters.", "name");
        }

        if (!IsBase64OfLength(r.MasterPasswordHash, 32))
        {
            return BitwardenErrors.BadRequest("The master password hash must be Base64 of 32 bytes.", "masterPasswordHash");
        }

        if (!WireValidation.IsSymmetricEncString(r.Key))
        {
            return BitwardenErrors.BadRequest("The protected user key must be an EncString of type 2.", "key");
        }

        if (r.Keys?.PublicKey is not { } publicKey || !IsBase64OfLength(publicKey, null) || publicKey.Length > 2048
            || !WireValidation.IsSymmetricEncString(r.Keys.EncryptedPrivateKey))
        {
            return BitwardenErrors.BadRequest("An RSA key pair is required: a Base64 public key and an EncString private key.", "keys");
        }

        if (await db.Users.AnyAsync(u => u.Email == r.Email))
        {
            return BitwardenErrors.BadRequest("An account with this e-mail address already exists.", "email");
        }

        var now = changes.Now;
        var user = new User
        {
            Id = Guid.NewGuid(),
            Email = r.Email,
            Name = r.Name,
            MasterPasswordHint = r.Hint,
            PasswordHash = await hashing.HashAsync(r.MasterPasswordHash),
            Kdf = r.Kdf.Type,
            KdfIterations = r.Kdf.Iterations,
            KdfMemory = r.Kdf.Memory,
            KdfParallelism = r.Kdf.Parallelism,
            Key = r.Key,
            PublicKey = publicKey,
            PrivateKey = r.Keys.EncryptedPrivateKey!,
            UserKeyId = r.UserKeyId,
            SecurityStamp = Guid.NewGuid().ToString(),
            CreationDate = now,
            RevisionDate = now,
            AccountRevisionDate = now,
        };
        db.Users.Add(user);
        await OrganizationInvitations.AcceptOnRegistrationAsync(db, user, CancellationToken.None);
        await Emergency.EmergencyAccessInvitations.AcceptOnRegistrationAsync(db, user, CancellationToken.None);
        changes.Record(EventType.UserRegistered, user.Id, detail: invitation is null ? null : "invited");
        if (invitation is not null)
        {
            invitation.UsedDate = now;
        }

        try
        {
            await changes.CommitAsync();
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another sign-up used the same invitation between our check and this commit.
            return BitwardenErrors.BadRequest("The invitation is invalid, expired, already used or for another e-mail address.", "inviteToken");
        }
        catch (DbUpdateException)
        {
            // Lost a race with a concurrent sign-up for the same e-mail (unique index).
            return BitwardenErrors.BadRequest("An account with this e-mail address already exists.", "email");
        }

        return Results.Json(new RegisterResponseModel(), CofferJson.Options);
    }

    internal static string? NormalizeEmail(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var email = AccountEmail.Normalize(raw);
        return email.Length <= MaxEmailLength && MailAddress.TryCreate(email, out var address) && address.Address == email ? email : null;
    }

    private static string? Agreed(string? a, string? b) => a is null ? b : b is null || a == b ? a : null;

    private static bool IsBase64OfLength(string value, int? length)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out var written) && written > 0 && (length is null || written == length);
    }
}
