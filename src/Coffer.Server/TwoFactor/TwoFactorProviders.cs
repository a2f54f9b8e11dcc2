using System.Linq.Expressions;
using Coffer.Protocol.Api;
using Coffer.Server.Accounts;
using Coffer.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.TwoFactor;

/// <summary>
/// Which second factors an account has on (account doc §2.1–§2.2): 0 authenticator (<see cref="User.TotpSecret"/>),
/// 1 e-mail (<see cref="User.TwoFactorEmail"/>), 7 security keys (rows of <c>webauthn_credentials</c> of kind
/// <see cref="WebAuthnCredentialKind.SecurityKey"/>). Two-step login is on when any of them is; the profile's
/// <c>twoFactorEnabled</c>, organization 2FA policies and the recovery code all read it from here.
/// </summary>
public static class TwoFactorProviders
{
    /// <summary>The enabled provider types by number (the order of the challenge's <c>TwoFactorProviders</c>).</summary>
    public static async Task<List<int>> EnabledAsync(CofferDb db, User user, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(user);
        List<int> enabled = [];
        if (user.TotpSecret is not null)
        {
            enabled.Add(TwoFactorProviderType.Authenticator);
        }

        if (user.TwoFactorEmail is not null)
        {
            enabled.Add(TwoFactorProviderType.Email);
        }

        if (await HasSecurityKeysAsync(db, user.Id, ct))
        {
            enabled.Add(TwoFactorProviderType.WebAuthn);
        }

        return enabled;
    }

    /// <summary>Whether the account has any provider on.</summary>
    public static async Task<bool> AnyAsync(CofferDb db, User user, CancellationToken ct = default) =>
        user.TotpSecret is not null || user.TwoFactorEmail is not null || await HasSecurityKeysAsync(db, user.Id, ct);

    public static Task<bool> HasSecurityKeysAsync(CofferDb db, Guid userId, CancellationToken ct = default) =>
        db.WebAuthnCredentials.AnyAsync(c => c.UserId == userId && c.Kind == WebAuthnCredentialKind.SecurityKey, ct);

    /// <summary>The same test inside a query (organization policies, member lists): true for accounts with any provider on.</summary>
    public static Expression<Func<User, bool>> IsOn(CofferDb db) =>
        u => u.TotpSecret != null || u.TwoFactorEmail != null
            || db.WebAuthnCredentials.Any(c => c.UserId == u.Id && c.Kind == WebAuthnCredentialKind.SecurityKey);

    /// <summary>The negation of <see cref="IsOn"/>: accounts with no provider on.</summary>
    public static Expression<Func<User, bool>> IsOff(CofferDb db) =>
        u => u.TotpSecret == null && u.TwoFactorEmail == null
            && !db.WebAuthnCredentials.Any(c => c.UserId == u.Id && c.Kind == WebAuthnCredentialKind.SecurityKey);
}
