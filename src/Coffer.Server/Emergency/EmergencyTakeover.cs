using System.Security.Claims;
using Coffer.Protocol.Api;
using Coffer.Server.Accounts;
using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Errors;
using Coffer.Server.Identity;
using Coffer.Server.Notifications;
using Coffer.Server.Organizations;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Emergency;

/// <summary>
/// <c>POST /api/emergency-access/{id}/password</c> (<c>bitwarden-sharing-features.md</c> §4.5, pitfall 22, E-12): the
/// grantee of an approved Takeover grant gives the grantor's account a new master password. The client wrapped the
/// grantor's unchanged user key under a master key derived from that password with the grantor's KDF and salt, so the
/// KDF and salt must be the grantor's current ones. Effects on the grantor's account, in one transaction:
/// <list type="number">
/// <item>the new login hash (hashed as at registration) and the new wrapped user key; the old hint goes (it hints at a
/// password that no longer opens anything);</item>
/// <item>two-step login removed entirely (TOTP, e-mail codes, security keys, the recovery code, remember-device tokens),
/// since it would keep the new owner out; passkeys go too, because a passkey logs in (and a PRF passkey unlocks)
/// without the master password, so it would keep the old owner in;</item>
/// <item>every membership where the grantor is not an Owner removed (upstream's rule);</item>
/// <item>a new security stamp, refresh tokens deleted and <c>LogOut</c> pushed to every device, so every old session ends.</item>
/// </list>
/// The grant stays RecoveryApproved, as in both reference servers.
/// </summary>
public static class EmergencyTakeover
{
    internal static async Task<IResult> SetPassword(Guid id, EmergencyAccessPasswordRequestModel request, ClaimsPrincipal principal, CofferDb db, PasswordHashing hashing,
        Changes changes, CancellationToken ct)
    {
        var granteeId = principal.UserId();
        if (await EmergencyRecoveryEndpoints.ApprovedAsync(db, granteeId, id, EmergencyAccessType.Takeover, ct) is not { } grant)
        {
            return EmergencyAccessEndpoints.NotValid();
        }

        var grantor = await db.Users.SingleAsync(u => u.Id == grant.GrantorId, ct);
        var (newHash, key, invalid) = ReadSecrets(request, grantor);
        if ((invalid ?? AccountSecrets.CheckNewSecrets(newHash, key, null)) is { } refused)
        {
            return refused;
        }

        grantor.PasswordHash = await hashing.HashAsync(newHash!);
        grantor.Key = key!;
        grantor.MasterPasswordHint = null;
        await RemoveTwoFactorAsync(db, changes, grantor, granteeId, ct);
        await RemoveMembershipsAsync(db, changes, grantor.Id, ct);

        grantor.SecurityStamp = Guid.NewGuid().ToString();
        grantor.RevisionDate = changes.Now;
        changes.Record(EventType.UserChangedPassword, grantor.Id, detail: "emergency access takeover", actingUserId: granteeId);
        // Every device of the grantor, none excepted: the acting device is the grantee's.
        changes.Notify(PushType.LogOut, grantor.Id, excludeActingDevice: false);
        // A reject racing this request: checked again inside the commit, holding the grantor, which every change to
        // the grant holds too (both parties' revision dates move with it).
        changes.Require(grantor.Id, async token => await db.EmergencyAccessGrants.AnyAsync(g => g.Id == grant.Id && g.GranteeId == granteeId
            && g.Status == EmergencyAccessStatus.RecoveryApproved && g.Type == EmergencyAccessType.Takeover, token)
            ? null : EmergencyAccessEndpoints.NotValidMessage);
        try
        {
            await changes.CommitAsync([grantor.Id, granteeId], ct);
        }
        catch (ChangeRefusedException)
        {
            return EmergencyAccessEndpoints.NotValid();
        }

        // After the commit, as AccountSecrets.EndSessionsAndCommitAsync does: the new stamp already refuses these tokens.
        await db.RefreshTokens.Where(t => t.UserId == grantor.Id).ExecuteDeleteAsync(ct);
        return Results.Ok();
    }

    /// <summary>
    /// The new login hash and wrapped user key from either body shape (§4.5). With the objects, both KDFs must equal the
    /// grantor's and both salts the grantor's salt; a flat <c>salt</c> must too; flat fields sent beside the objects must agree.
    /// </summary>
    private static (string? Hash, string? Key, IResult? Invalid) ReadSecrets(EmergencyAccessPasswordRequestModel request, User grantor)
    {
        if (request.Salt is { } salt && salt != grantor.Email)
        {
            return (null, null, BitwardenErrors.BadRequest("Invalid master password salt.", "salt"));
        }

        if (request.AuthenticationData is null && request.UnlockData is null)
        {
            return (request.NewMasterPasswordHash, request.Key, null);
        }

        if (request.AuthenticationData is not { } authentication || request.UnlockData is not { } unlock)
        {
            return (null, null, BitwardenErrors.BadRequest("authenticationData and unlockData must be sent together."));
        }

        if (AccountSecrets.CheckObjects(authentication, unlock, grantor) is { } mismatch)
        {
            return (null, null, mismatch);
        }

        if (authentication.Kdf!.ToConfig() != grantor.KdfConfig)
        {
            return (null, null, BitwardenErrors.BadRequest("The KDF settings must be the grantor's current ones.", "kdf"));
        }

        var hash = Agreed(request.NewMasterPasswordHash, authentication.MasterPasswordAuthenticationHash);
        var key = Agreed(request.Key, unlock.MasterKeyWrappedUserKey);
        return hash is null || key is null
            ? (null, null, BitwardenErrors.BadRequest("The flat fields and the objects of the request disagree."))
            : (hash, key, null);
    }

    private static string? Agreed(string? flat, string? inObject) => flat is null ? inObject : inObject is null || flat == inObject ? flat : null;

    private static async Task RemoveTwoFactorAsync(CofferDb db, Changes changes, User grantor, Guid granteeId, CancellationToken ct)
    {
        var hadTwoFactor = grantor.TotpSecret is not null || grantor.TwoFactorEmail is not null
            || await db.WebAuthnCredentials.AnyAsync(c => c.UserId == grantor.Id && c.Kind == TwoFactor.WebAuthnCredentialKind.SecurityKey, ct);
        grantor.TotpSecret = null;
        grantor.TwoFactorEmail = null;
        grantor.TwoFactorRecoveryCodeHash = null;
        db.WebAuthnCredentials.RemoveRange(await db.WebAuthnCredentials.Where(c => c.UserId == grantor.Id).ToListAsync(ct));
        db.WebAuthnChallenges.RemoveRange(await db.WebAuthnChallenges.Where(c => c.UserId == grantor.Id).ToListAsync(ct));
        db.EmailCodes.RemoveRange(await db.EmailCodes.Where(c => c.UserId == grantor.Id).ToListAsync(ct));
        await TwoFactor.TwoFactorLogin.RevokeRememberTokensAsync(db, grantor.Id, ct);
        if (hadTwoFactor)
        {
            changes.Record(EventType.UserDisabled2fa, grantor.Id, detail: "emergency access takeover", actingUserId: granteeId);
        }
    }

    /// <summary>Upstream's <c>PasswordAsync</c>: the grantor leaves every organization it does not own. Items stay with the organization.</summary>
    private static async Task RemoveMembershipsAsync(CofferDb db, Changes changes, Guid grantorId, CancellationToken ct)
    {
        var memberships = await db.Memberships.Where(m => m.UserId == grantorId && m.Type != MembershipType.Owner).ToListAsync(ct);
        foreach (var membership in memberships)
        {
            db.Memberships.Remove(membership);
            changes.RecordOrganization(EventType.MemberRemoved, membership.OrganizationId, grantorId, membershipId: membership.Id, detail: "emergency access takeover");
        }
    }
}
