using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Notifications;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Accounts;

/// <summary>
/// What every account-security route shares: the answer to a wrong master password hash (account doc §1; the check
/// itself is <see cref="MasterPasswordProof"/>), checking
/// the new secrets a client sends, and the common effects of a credential change (§3): a new security stamp, no
/// refresh token left, bumped revision dates and one audit event.
/// </summary>
public static class AccountSecrets
{
    public const int MaxHintLength = 50;

    /// <summary>
    /// The accounts routes' answer to a wrong master password hash: always 400 <c>Invalid password.</c>, never
    /// 401/403 (a 401 makes the client refresh and retry, a 403 logs it out). The check is <see cref="MasterPasswordProof"/>.
    /// </summary>
    public static IResult InvalidPassword() => BitwardenErrors.BadRequest("Invalid password.", "masterPasswordHash");

    /// <summary>A login hash as clients compute it: Base64 of 32 bytes (protocol §2.2).</summary>
    public static bool IsLoginHash(string? value)
    {
        if (value is not { Length: > 0 and <= 64 })
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[48];
        return Convert.TryFromBase64String(value, buffer, out var written) && written == 32;
    }

    /// <summary>Checks the new login hash, the new wrapped user key and the hint; null when all are acceptable.</summary>
    public static IResult? CheckNewSecrets(string? newHash, string? newKey, string? hint)
    {
        if (!IsLoginHash(newHash))
        {
            return BitwardenErrors.BadRequest("The new master password hash must be Base64 of 32 bytes.", "newMasterPasswordHash");
        }

        if (!WireValidation.IsSymmetricEncString(newKey) || newKey!.Length > 1000)
        {
            return BitwardenErrors.BadRequest("The protected user key must be an EncString of type 2.", "key");
        }

        return hint is { Length: > MaxHintLength }
            ? BitwardenErrors.BadRequest($"The master password hint may be at most {MaxHintLength} characters.", "masterPasswordHint")
            : null;
    }

    /// <summary>
    /// The KDF a change would leave in place must meet today's minimums (<see cref="KdfConfig.Validate"/>), even
    /// when unchanged: an account below them has to raise its KDF through <c>/accounts/kdf</c> first.
    /// </summary>
    public static IResult? CheckKdf(KdfConfig kdf) =>
        kdf.Validate() is { } problem ? BitwardenErrors.BadRequest("KDF settings are invalid. " + problem, "kdf") : null;

    /// <summary>
    /// The object shapes of password and KDF changes (account doc §3.1 (b), §3.2): both KDF objects equal, both
    /// salts equal to the stored salt, and a contained key id, if any, equal to the stored one.
    /// </summary>
    public static IResult? CheckObjects(MasterPasswordAuthenticationModel authentication, MasterPasswordUnlockDataModel unlock, User user)
    {
        if (authentication.Kdf is null || unlock.Kdf is null || authentication.Kdf.ToConfig() != unlock.Kdf.ToConfig())
        {
            return BitwardenErrors.BadRequest("AuthenticationData and UnlockData must have the same KDF configuration.", "kdf");
        }

        if (authentication.Salt != user.Email || unlock.Salt != user.Email)
        {
            return BitwardenErrors.BadRequest("Invalid master password salt.", "salt");
        }

        return unlock.ContainedKeyId is { } keyId && user.UserKeyId is { } stored && keyId != stored
            ? BitwardenErrors.BadRequest("The contained key id is not the account's user key id.", "containedKeyId")
            : null;
    }

    /// <summary>"" and null both mean "no hint".</summary>
    public static string? Hint(string? hint) => string.IsNullOrEmpty(hint) ? null : hint;

    /// <summary>
    /// Ends every session and commits the change with its audit event, in one transaction with whatever the caller
    /// changed on <paramref name="user"/> and other tracked rows. The new stamp kills every access token at its next
    /// request and every refresh token at redemption; the refresh-token rows are then deleted as well. That delete
    /// runs after the commit on purpose: should it fail, the stamp has already made those tokens worthless.
    /// </summary>
    public static async Task EndSessionsAndCommitAsync(User user, EventType type, CofferDb db, Changes changes, CancellationToken ct, string? detail = null)
    {
        user.SecurityStamp = Guid.NewGuid().ToString();
        user.RevisionDate = changes.Now;
        changes.Record(type, user.Id, detail: detail);
        // Every device logs out, except after a password change: that device logs itself out (notifications doc §8).
        changes.Notify(PushType.LogOut, user.Id, excludeActingDevice: type == EventType.UserChangedPassword);
        await changes.CommitAsync(user.Id, ct);
        await db.RefreshTokens.Where(t => t.UserId == user.Id).ExecuteDeleteAsync(ct);
    }
}
