using System.Globalization;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging.Console;

namespace Coffer.Server.Hosting;

/// <summary>
/// Coffer under a service manager: systemd (<c>Type=notify</c>: READY=1 once the server listens, STOPPING=1 on
/// shutdown, journald-friendly log lines, and WATCHDOG=1 keep-alives) and the Windows service control manager.
/// Each is a no-op outside its manager.
/// </summary>
public static class ServiceManagers
{
    public static void UseServiceManagers(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Host.UseSystemd();
        builder.Host.UseWindowsService();
        if (SystemdHelpers.IsSystemdService())
        {
            builder.Services.AddHostedService<SystemdWatchdog>();
        }
        else if (StartedBySystemd(Environment.GetEnvironmentVariable("SYSTEMD_EXEC_PID"), Environment.ProcessId))
        {
            // Microsoft.Extensions.Hosting.Systemd 10.0 recognises systemd by reading /proc/<parent>/comm, which the
            // unit's ProtectProc=invisible hides (PID 1 belongs to another user), so UseSystemd() does nothing there.
            // systemd ≥ 248 names the main process in SYSTEMD_EXEC_PID: register what UseSystemd() would.
            builder.Services.Configure<ConsoleLoggerOptions>(console => console.FormatterName = ConsoleFormatterNames.Systemd);
            builder.Services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
            builder.Services.AddSingleton<IHostLifetime, SystemdLifetime>();
            builder.Services.AddHostedService<SystemdWatchdog>();
        }
    }

    /// <summary>True when systemd started this very process (SYSTEMD_EXEC_PID, systemd.exec(5)), not an ancestor.</summary>
    internal static bool StartedBySystemd(string? execPid, int processId) =>
        int.TryParse(execPid, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid == processId;
}

/// <summary>
/// Sends <c>WATCHDOG=1</c> through the systemd notifier every half of <c>WATCHDOG_USEC</c>, as sd_watchdog_enabled(3)
/// and sd_notify(3) advise, when the unit sets <c>WatchdogSec=</c>. Microsoft.Extensions.Hosting.Systemd sends READY=1
/// and STOPPING=1 only, so without this systemd would kill a healthy server when the watchdog runs out. A process
/// whose thread pool or timers are stuck stops sending, and systemd restarts it.
/// </summary>
internal sealed class SystemdWatchdog(ISystemdNotifier notifier, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = Interval(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), Environment.GetEnvironmentVariable("WATCHDOG_PID"), Environment.ProcessId);
        if (interval is null || !notifier.IsEnabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval.Value, time);
        do
        {
            notifier.Notify(new ServiceState("WATCHDOG=1"));
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>
    /// Half the watchdog timeout, or null when the watchdog is off: no or a malformed WATCHDOG_USEC (microseconds),
    /// or a WATCHDOG_PID naming another process (the variable was inherited, not meant for this one).
    /// </summary>
    internal static TimeSpan? Interval(string? usec, string? pid, int processId)
    {
        if (!long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds) || microseconds <= 0)
        {
            return null;
        }

        if (!string.IsNullOrEmpty(pid) && (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var watched) || watched != processId))
        {
            return null;
        }

        return TimeSpan.FromMicroseconds(microseconds / 2.0);
    }
}
