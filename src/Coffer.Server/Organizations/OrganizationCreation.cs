using Coffer.Server.Accounts;
using Coffer.Server.Admin;
using Coffer.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Organizations;

/// <summary>
/// Who may create an organization (issue 11 point 2): <c>everyone</c> (the default) or <c>admins</c>, the server's
/// admins only (Vaultwarden's <c>ORG_CREATION_USERS</c> does the same by address). The value lives in
/// <c>server_settings</c>, so every node agrees; an admin sets it on the admin page, through
/// <c>PUT /admin/api/settings/organization-creation</c> or with <c>coffer-server org-creation everyone|admins</c>.
/// </summary>
public static class OrganizationCreation
{
    public const string Everyone = "everyone";
    public const string Admins = "admins";

    public const string SettingName = "OrganizationCreation";

    public static bool IsValid(string? value) => value is Everyone or Admins;

    /// <summary>The stored setting, or <see cref="Everyone"/> until an admin sets one. One query.</summary>
    public static async Task<string> GetAsync(CofferDb db, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var stored = await db.ServerSettings.AsNoTracking().Where(s => s.Name == SettingName).Select(s => s.Value).FirstOrDefaultAsync(ct);
        return IsValid(stored) ? stored! : Everyone;
    }

    /// <summary>Whether <paramref name="user"/> may create an organization under the current setting (one query, none for an admin).</summary>
    public static async Task<bool> IsAllowedAsync(CofferDb db, User user, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.IsAdmin || await GetAsync(db, ct) == Everyone;
    }

    /// <summary>Stores <paramref name="value"/> (tracked; the caller commits). Returns the previous value.</summary>
    public static async Task<string> SetAsync(CofferDb db, string value, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!IsValid(value))
        {
            throw new ArgumentException("The organization creation setting is everyone or admins.", nameof(value));
        }

        var setting = await db.ServerSettings.SingleOrDefaultAsync(s => s.Name == SettingName, ct);
        var before = IsValid(setting?.Value) ? setting!.Value : Everyone;
        if (setting is null)
        {
            db.ServerSettings.Add(new ServerSetting { Name = SettingName, Value = value });
        }
        else
        {
            setting.Value = value;
        }

        return before;
    }
}
