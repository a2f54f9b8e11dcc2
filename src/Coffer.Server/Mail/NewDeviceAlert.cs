using System.Globalization;
using Coffer.Server.Accounts;
using Coffer.Server.Data;
using Coffer.Server.Devices;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Mail;

/// <summary>
/// The new-device login alert (template <c>new-device</c>, <c>Coffer:Smtp:NewDeviceAlerts</c>): queued in the login's
/// transaction when a login creates a device row for an account that already had another device, so the first login
/// of a fresh account, and every login from a known device, sends nothing. It names the device, the time and the
/// client's address; nothing else of the account.
/// </summary>
public static class NewDeviceAlert
{
    /// <summary>Queues the alert when <paramref name="device"/> is new (not yet saved) and the account has other devices.</summary>
    public static async Task QueueAsync(CofferDb db, Mailer mailer, User user, Device device, DateTime now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(mailer);
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(device);
        if (!mailer.NewDeviceAlerts || db.Entry(device).State != EntityState.Added
            || !await db.Devices.AnyAsync(d => d.UserId == user.Id && d.Id != device.Id, ct))
        {
            return;
        }

        mailer.Queue(user.Email, "new-device", new Dictionary<string, string?>
        {
            ["email"] = user.Email,
            ["device"] = device.Name,
            ["time"] = now.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
            ["ip"] = mailer.ClientAddress ?? "unknown",
        });
    }
}
