using System.Security.Claims;
using Coffer.Protocol.Api;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Identity;
using Coffer.Server.Notifications;
using Coffer.Server.Organizations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Accounts;

/// <summary>
/// Master password, KDF, sessions and account deletion (account doc §3.1, §3.2, §3.5–§3.7); key rotation and
/// e-mail change are mapped from here too. Every route re-verifies the master password hash (§1) and answers a
/// wrong one with 400 <c>Invalid password.</c>, never 401/403.
/// </summary>
public static class AccountSecurityEndpoints
{
    public static void MapAccountSecurity(this IEndpointRouteBuilder api)
    {
        var accounts = api.MapGroup("/accounts").WithTags("Account security");
        accounts.MapPost("/password", ChangePassword).WithSummary("Change the master password (same KDF, same user key)");
        accounts.MapPost("/kdf", ChangeKdf).WithSummary("Change the KDF settings; ends every session");
        accounts.MapPost("/security-stamp", Deauthorize).WithSummary("End every session of the account");
        accounts.MapPost("/verify-password", VerifyPassword).Produces<MasterPasswordPolicyResponseModel>();
        accounts.MapDelete("", DeleteAccount).WithSummary("Delete the account and its whole vault");
        accounts.MapPost("/delete", DeleteAccount).WithSummary("Alias of DELETE /api/accounts");
        accounts.MapKeyRotation();
        accounts.MapEmailChange();
    }

    private static async Task<IResult> ChangePassword(PasswordRequestModel request, ClaimsPrincipal principal, CofferDb db, PasswordHashing hashing, MasterPasswordProof proof, Changes changes, CancellationToken ct)
    {
        var user = await db.Users.SingleAsync(u => u.Id == principal.UserId(), ct);
        var newHash = request.NewMasterPasswordHash;
        var key = request.Key;
        if (request.AuthenticationData is not null || request.UnlockData is not null)
        {
            // Shape (b): the objects restate what shape (a) says and must agree with it and with the account.
            if (request.AuthenticationData is not { } authentication || request.UnlockData is not { } unlock)
            {
                return BitwardenErrors.BadRequest("authenticationData and unlockData must be sent together.");
            }

            if (AccountSecrets.CheckObjects(authentication, unlock, user) is { } mismatch)
            {
                return mismatch;
            }

            if (authentication.Kdf!.ToConfig() != user.KdfConfig)
            {
                return BitwardenErrors.BadRequest("A password change keeps the KDF settings; change them through /api/accounts/kdf.", "kdf");
            }

            newHash = Agreed(newHash, authentication.MasterPasswordAuthenticationHash);
            key = Agreed(key, unlock.MasterKeyWrappedUserKey);
            if (newHash is null || key is null)
            {
                return BitwardenErrors.BadRequest("The flat fields and the objects of the request disagree.");
            }
        }

        if ((AccountSecrets.CheckKdf(user.KdfConfig) ?? AccountSecrets.CheckNewSecrets(newHash, key, request.MasterPasswordHint)) is { } invalid)
        {
            return invalid;
        }

        if (await proof.CheckAsync(request.MasterPasswordHash, user, ct) is { } denied)
        {
            return denied;
        }

        user.PasswordHash = await hashing.HashAsync(newHash!);
        user.Key = key!;
        user.MasterPasswordHint = AccountSecrets.Hint(request.MasterPasswordHint);
        await AccountSecrets.EndSessionsAndCommitAsync(user, EventType.UserChangedPassword, db, changes, ct);
        return Results.Ok();
    }

    private static async Task<IResult> ChangeKdf(KdfRequestModel request, ClaimsPrincipal principal, CofferDb db, PasswordHashing hashing, MasterPasswordProof proof, Changes changes, CancellationToken ct)
    {
        var user = await db.Users.SingleAsync(u => u.Id == principal.UserId(), ct);
        MasterPasswordAuthenticationModel authentication;
        MasterPasswordUnlockDataModel unlock;
        if (request.AuthenticationData is { } a && request.UnlockData is { } u)
        {
            (authentication, unlock) = (a, u);
        }
        else if (request.AuthenticationData is null && request.UnlockData is null && request.Kdf is { } type)
        {
            // Older clients: flat fields only. The salt is implied: it is the stored one.
            var kdf = new KdfSettingsModel { KdfType = type, Iterations = request.KdfIterations ?? 0, Memory = request.KdfMemory, Parallelism = request.KdfParallelism };
            authentication = new() { Salt = user.Email, Kdf = kdf, MasterPasswordAuthenticationHash = request.NewMasterPasswordHash };
            unlock = new() { Salt = user.Email, Kdf = kdf, MasterKeyWrappedUserKey = request.Key };
        }
        else
        {
            return BitwardenErrors.BadRequest("authenticationData and unlockData are required.");
        }

        if (AccountSecrets.CheckObjects(authentication, unlock, user) is { } mismatch)
        {
            return mismatch;
        }

        var newKdf = authentication.Kdf!.ToConfig();
        if ((AccountSecrets.CheckKdf(newKdf)
            ?? AccountSecrets.CheckNewSecrets(authentication.MasterPasswordAuthenticationHash, unlock.MasterKeyWrappedUserKey, null)) is { } invalid)
        {
            return invalid;
        }

        if (await proof.CheckAsync(request.MasterPasswordHash, user, ct) is { } denied)
        {
            return denied;
        }

        // Weaker settings within the minimums are allowed here, and only here: this route is the user's explicit choice.
        user.Kdf = newKdf.Type;
        user.KdfIterations = newKdf.Iterations;
        user.KdfMemory = newKdf.Memory;
        user.KdfParallelism = newKdf.Parallelism;
        user.PasswordHash = await hashing.HashAsync(authentication.MasterPasswordAuthenticationHash!);
        user.Key = unlock.MasterKeyWrappedUserKey!;
        await AccountSecrets.EndSessionsAndCommitAsync(user, EventType.UserChangedKdf, db, changes, ct);
        return Results.Ok();
    }

    private static async Task<IResult> Deauthorize(SecretVerificationRequestModel request, ClaimsPrincipal principal, CofferDb db, MasterPasswordProof proof, Changes changes, CancellationToken ct)
    {
        var user = await db.Users.SingleAsync(u => u.Id == principal.UserId(), ct);
        if (await proof.CheckAsync(request.MasterPasswordHash, user, ct) is { } denied)
        {
            return denied;
        }

        await AccountSecrets.EndSessionsAndCommitAsync(user, EventType.UserDeauthorizedSessions, db, changes, ct);
        return Results.Ok();
    }

    private static async Task<IResult> VerifyPassword(SecretVerificationRequestModel request, ClaimsPrincipal principal, CofferDb db, MasterPasswordProof proof, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == principal.UserId(), ct);
        return await proof.CheckAsync(request.MasterPasswordHash, user, ct)
            ?? Results.Json(new MasterPasswordPolicyResponseModel(), CofferJson.Options);
    }

    // ASP.NET Core binds a body on DELETE only when asked to ([FromBody]); the web and browser clients send one.
    private static async Task<IResult> DeleteAccount([FromBody] SecretVerificationRequestModel request, ClaimsPrincipal principal, CofferDb db, MasterPasswordProof proof, Changes changes, CancellationToken ct)
    {
        var user = await db.Users.SingleAsync(u => u.Id == principal.UserId(), ct);
        if (await proof.CheckAsync(request.MasterPasswordHash, user, ct) is { } denied)
        {
            return denied;
        }

        // The last owner of an organization with other members must hand it over first (doc §9.5).
        var (lastOwner, otherMembers) = await OrganizationMembers.PrepareAccountDeletionAsync(db, user.Id, ct);
        if (lastOwner is not null)
        {
            return BitwardenErrors.BadRequest(lastOwner);
        }

        // Devices, refresh tokens, folders, ciphers, memberships and pending e-mail changes go with the user (ON DELETE
        // CASCADE), in the same transaction; with the row gone, every token of the account fails its next check.
        db.Users.Remove(user);
        changes.Record(EventType.UserDeletedAccount, user.Id, detail: user.Email);
        changes.Notify(PushType.LogOut, user.Id, excludeActingDevice: false);
        foreach (var member in otherMembers)
        {
            changes.Notify(PushType.SyncVault, member);
        }

        await changes.CommitAsync(otherMembers, ct);
        return Results.Ok();
    }

    private static string? Agreed(string? flat, string? inObject) => flat is null ? inObject : inObject is null || flat == inObject ? flat : null;
}
