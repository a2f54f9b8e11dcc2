using Coffer.Server.Accounts;
using Coffer.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Organizations;

/// <summary>
/// Who may create an organization (issue 11 point 2; Vaultwarden's <c>ORG_CREATION_USERS</c>): the server setting
/// <see cref="SettingName"/> is <see cref="Everyone"/> (the default, also for an unknown value) or
/// <see cref="Admins"/> (server admins only). It lives in the database so every node agrees; the admin page and
/// <c>coffer-server</c> set it.
/// </summary>
public static class OrganizationCreation
{
    public const string SettingName = "OrganizationCreation";
    public const string Everyone = "everyone";
    public const string Admins = "admins";

    /// <summary>Whether <paramref name="user"/> may create an organization under the current setting.</summary>
    public static async Task<bool> IsAllowedAsync(CofferDb db, User user, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(user);
        var setting = await db.ServerSettings.AsNoTracking().Where(s => s.Name == SettingName).Select(s => s.Value).FirstOrDefaultAsync(ct);
        return setting != Admins || user.IsAdmin;
    }
}
