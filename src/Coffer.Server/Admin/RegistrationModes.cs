using Coffer.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Admin;

/// <summary>
/// Who may sign up: <c>open</c>, <c>invite</c> (an unused, unexpired invitation for that e-mail) or <c>closed</c>.
/// The value lives in <c>server_settings</c> once an admin sets it, so every node agrees; until then it is
/// <see cref="ServerOptions.RegistrationMode"/>.
/// </summary>
public static class RegistrationModes
{
    public const string Open = "open";
    public const string Invite = "invite";
    public const string Closed = "closed";

    internal const string SettingName = "registration_mode";

    public static bool IsValid(string? mode) => mode is Open or Invite or Closed;

    public static async Task<string> GetRegistrationModeAsync(this CofferDb db, ServerOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(options);
        var stored = await db.ServerSettings.AsNoTracking().Where(s => s.Name == SettingName).Select(s => s.Value).FirstOrDefaultAsync(ct);
        return IsValid(stored) ? stored! : options.RegistrationMode;
    }
}
