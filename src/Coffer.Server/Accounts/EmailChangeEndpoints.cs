using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Coffer.Protocol.Api;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Identity;
using Coffer.Server.Mail;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Accounts;

/// <summary>
/// E-mail change (account doc §3.4). The e-mail is the KDF salt, so the client sends, with the new address, the
/// login hash and the wrapped user key recomputed under the new salt; the three change together or not at all.
/// <para>
/// Step 1 (<c>email-token</c>) verifies the master password, checks that the new address is free, and records the
/// pending address with a random token, kept as its SHA-256. With mail (<see cref="Mailer.Enabled"/>) the token
/// (<see cref="TokenLength"/> characters of <see cref="TokenAlphabet"/>, about 62 bits) is mailed to the <b>new</b>
/// address (template <c>email-change</c>) and step 2 (<c>email</c>) requires it: the change proves the user reads the new
/// mailbox. Without mail nobody can learn the token, so step 2 does not check it: it is accepted only for the pending
/// address, within <see cref="PendingLifetime"/> of step 1, and with the master password hash verified again (a user
/// can then move the account to an address that is not theirs, which locks only themselves out).
/// </para>
/// </summary>
public static class EmailChangeEndpoints
{
    public static readonly TimeSpan PendingLifetime = TimeSpan.FromMinutes(30);

    /// <summary>Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L), for a token typed or pasted.</summary>
    public const string TokenAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

    public const int TokenLength = 13;

    internal static void MapEmailChange(this RouteGroupBuilder accounts)
    {
        accounts.MapPost("/email-token", RequestToken).WithSummary("Start an e-mail change: checks the password and that the address is free; with mail, mails the token to the new address");
        accounts.MapPost("/email", ChangeEmail).WithSummary("Finish an e-mail change with the hash and key under the new salt (and, with mail, the mailed token)");
    }

    private static async Task<IResult> RequestToken(
        EmailTokenRequestModel request, ClaimsPrincipal principal, CofferDb db, MasterPasswordProof proof, Mailer mailer, Changes changes, CancellationToken ct)
    {
        if (RegistrationEndpoints.NormalizeEmail(request.NewEmail) is not { } newEmail)
        {
            return BitwardenErrors.BadRequest("A valid e-mail address is required.", "newEmail");
        }

        var user = await db.Users.SingleAsync(u => u.Id == principal.UserId(), ct);
        if (await proof.CheckAsync(request.MasterPasswordHash, user, ct) is { } denied)
        {
            return denied;
        }

        if (await db.Users.AnyAsync(u => u.Email == newEmail, ct))
        {
            return EmailInUse();
        }

        var pending = await db.EmailChanges.SingleOrDefaultAsync(c => c.UserId == user.Id, ct);
        if (pending is null)
        {
            pending = new EmailChange { UserId = user.Id, NewEmail = newEmail, TokenHash = "" };
            db.EmailChanges.Add(pending);
        }

        // A new request replaces the previous one, token and all; step 2 compares the SHA-256 of what it is given.
        var token = RandomNumberGenerator.GetString(TokenAlphabet, TokenLength);
        pending.NewEmail = newEmail;
        pending.TokenHash = HashToken(token);
        pending.ExpirationDate = changes.Now + PendingLifetime;
        mailer.Queue(newEmail, "email-change", new Dictionary<string, string?>
        {
            ["token"] = token,
            ["old_email"] = user.Email,
            ["minutes"] = ((int)PendingLifetime.TotalMinutes).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await changes.CommitAsync(ct: ct);
        return Results.Ok();
    }

    private static async Task<IResult> ChangeEmail(
        EmailRequestModel request, ClaimsPrincipal principal, CofferDb db, PasswordHashing hashing, MasterPasswordProof proof, Mailer mailer, Changes changes, CancellationToken ct)
    {
        if (RegistrationEndpoints.NormalizeEmail(request.NewEmail) is not { } newEmail)
        {
            return BitwardenErrors.BadRequest("A valid e-mail address is required.", "newEmail");
        }

        var user = await db.Users.SingleAsync(u => u.Id == principal.UserId(), ct);
        if ((AccountSecrets.CheckKdf(user.KdfConfig) ?? AccountSecrets.CheckNewSecrets(request.NewMasterPasswordHash, request.Key, null)) is { } invalid)
        {
            return invalid;
        }

        if (await proof.CheckAsync(request.MasterPasswordHash, user, ct) is { } denied)
        {
            return denied;
        }

        // Without mail request.Token is not compared: see the class remarks. The pending address and its deadline stand in for it.
        var pending = await db.EmailChanges.SingleOrDefaultAsync(c => c.UserId == user.Id, ct);
        if (pending is null || pending.NewEmail != newEmail || pending.ExpirationDate <= changes.Now)
        {
            return BitwardenErrors.BadRequest("There is no pending change to this e-mail address; request a token first (it is valid for 30 minutes).", "newEmail");
        }

        if (mailer.Enabled && !CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(HashToken(request.Token?.Trim().ToUpperInvariant() ?? "")), Encoding.ASCII.GetBytes(pending.TokenHash)))
        {
            return BitwardenErrors.BadRequest("The token is wrong: use the one mailed to the new address by your latest request.", "token");
        }

        if (await db.Users.AnyAsync(u => u.Email == newEmail, ct))
        {
            return EmailInUse();
        }

        var oldEmail = user.Email;
        user.Email = newEmail;
        user.PasswordHash = await hashing.HashAsync(request.NewMasterPasswordHash!);
        user.Key = request.Key!;
        db.EmailChanges.Remove(pending);
        try
        {
            await AccountSecrets.EndSessionsAndCommitAsync(user, EventType.UserChangedEmail, db, changes, ct, detail: $"{oldEmail} -> {newEmail}");
        }
        catch (DbUpdateException)
        {
            // Lost a race with a sign-up or another change to the same address (unique index); nothing was saved.
            return EmailInUse();
        }

        return Results.Ok();
    }

    private static string HashToken(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static IResult EmailInUse() => BitwardenErrors.BadRequest("Email already in use.", "newEmail");
}
