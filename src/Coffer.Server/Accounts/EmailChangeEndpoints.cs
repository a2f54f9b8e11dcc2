using System.Security.Claims;
using System.Security.Cryptography;
using Coffer.Protocol.Api;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Identity;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Accounts;

/// <summary>
/// E-mail change (account doc §3.4). The e-mail is the KDF salt, so the client sends, with the new address, the
/// login hash and the wrapped user key recomputed under the new salt; the three change together or not at all.
/// <para>
/// Coffer has no mail transport yet. Step 1 (<c>email-token</c>) verifies the master password, checks that the new
/// address is free, and records the pending address with a random token that the server keeps (hashed) for the day
/// it can mail it. Until then nobody can learn that token, so step 2 (<c>email</c>) does not check it: it is
/// accepted only for the pending address, within <see cref="PendingLifetime"/> of step 1, and with the master
/// password hash verified again. What the mailed token would add is proof that the user controls the new mailbox;
/// without it a user can move the account to an address that is not theirs, which locks only themselves out.
/// </para>
/// </summary>
public static class EmailChangeEndpoints
{
    public static readonly TimeSpan PendingLifetime = TimeSpan.FromMinutes(30);

    internal static void MapEmailChange(this RouteGroupBuilder accounts)
    {
        accounts.MapPost("/email-token", RequestToken).WithSummary("Start an e-mail change: checks the password and that the address is free");
        accounts.MapPost("/email", ChangeEmail).WithSummary("Finish an e-mail change with the hash and key under the new salt");
    }

    private static async Task<IResult> RequestToken(EmailTokenRequestModel request, ClaimsPrincipal principal, CofferDb db, MasterPasswordProof proof, Changes changes, CancellationToken ct)
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

        // A new request replaces the previous one, token and all. With a mail transport, the token itself
        // (256 random bits) goes into the mail and step 2 compares its SHA-256 with this one.
        pending.NewEmail = newEmail;
        pending.TokenHash = Convert.ToHexStringLower(SHA256.HashData(RandomNumberGenerator.GetBytes(32)));
        pending.ExpirationDate = changes.Now + PendingLifetime;
        await changes.CommitAsync(ct: ct);
        return Results.Ok();
    }

    private static async Task<IResult> ChangeEmail(EmailRequestModel request, ClaimsPrincipal principal, CofferDb db, PasswordHashing hashing, MasterPasswordProof proof, Changes changes, CancellationToken ct)
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

        // request.Token is not compared: see the class remarks. The pending address and its deadline stand in for it.
        var pending = await db.EmailChanges.SingleOrDefaultAsync(c => c.UserId == user.Id, ct);
        if (pending is null || pending.NewEmail != newEmail || pending.ExpirationDate <= changes.Now)
        {
            return BitwardenErrors.BadRequest("There is no pending change to this e-mail address; request a token first (it is valid for 30 minutes).", "newEmail");
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

    private static IResult EmailInUse() => BitwardenErrors.BadRequest("Email already in use.", "newEmail");
}
