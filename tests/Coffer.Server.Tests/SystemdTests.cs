using System.Net;
using System.Net.Sockets;
using System.Text;
using Coffer.Server.Hosting;

namespace Coffer.Server.Tests;

/// <summary>
/// The real server process under stand-ins for systemd, with a <c>NOTIFY_SOCKET</c> this test binds itself, so it
/// reads what systemd would (sd_notify(3)). systemd is recognised the two ways a unit's main process sees it: its
/// parent process is named <c>systemd</c> (what Microsoft.Extensions.Hosting.Systemd 10.0 checks), or
/// <c>SYSTEMD_EXEC_PID</c> names it (systemd ≥ 248; what Coffer checks where the unit's ProtectProc=invisible hides
/// the parent).
/// </summary>
public sealed class SystemdTests : IDisposable
{
    // Short: a unix socket path must fit in 108 bytes.
    private readonly string scratch = Directory.CreateTempSubdirectory("coffer-sd-").FullName;

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    [Theory]
    [InlineData("parent named systemd")]
    [InlineData("SYSTEMD_EXEC_PID")]
    public async Task UnderSystemd_NotifiesReady_WhenHealthy_AndFeedsTheWatchdog(string recognisedBy)
    {
        var socketPath = Path.Combine(scratch, "notify");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        string[] launcher;
        if (recognisedBy == "SYSTEMD_EXEC_PID")
        {
            // exec keeps the shell's process id, as systemd's own exec does.
            launcher = ["/bin/sh", "-c", "SYSTEMD_EXEC_PID=$$ exec \"$0\" \"$@\""];
        }
        else
        {
            var systemd = Path.Combine(scratch, "systemd");
            File.CreateSymbolicLink(systemd, "/bin/sh");
            // `; exit $?` keeps the shell (its process name: systemd) alive as the server's parent.
            launcher = [systemd, "-c", "\"$0\" \"$@\"; exit $?"];
        }

        var environment = new Dictionary<string, string?>
        {
            ["NOTIFY_SOCKET"] = socketPath,
            ["WATCHDOG_USEC"] = "400000",
            ["WATCHDOG_PID"] = null,
            ["SYSTEMD_EXEC_PID"] = null,
        };
        var dataFolder = Directory.CreateDirectory(Path.Combine(scratch, "data")).FullName;

        await using var server = await ServerProcess.StartAsync(null, dataFolder, environment, launcher);
        var messages = new List<string>();
        using (var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (!messages.Contains("READY=1"))
            {
                messages.Add(await ReceiveAsync(socket, cancel.Token));
            }
        }

        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        using var health = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        // Every 200 ms (half of WATCHDOG_USEC): keep-alives go on arriving after READY=1. (The interval itself is
        // checked below without timing; a loaded machine may deliver late ones in bursts.)
        var watchdog = 0;
        using (var twoSeconds = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            try
            {
                while (true)
                {
                    watchdog += await ReceiveAsync(socket, twoSeconds.Token) == "WATCHDOG=1" ? 1 : 0;
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        Assert.True(watchdog >= 3, $"{watchdog} WATCHDOG=1 in two seconds");
        Assert.Null(server.ExitCode);
    }

    [Theory]
    [InlineData("30000000", null, 15.0)]
    [InlineData("30000000", "4242", 15.0)]
    [InlineData("30000000", "1", null)]
    [InlineData(null, null, null)]
    [InlineData("0", null, null)]
    [InlineData("soon", null, null)]
    public void WatchdogInterval_IsHalfTheTimeout_ForThisProcessOnly(string? usec, string? pid, double? seconds)
    {
        Assert.Equal(seconds is null ? null : TimeSpan.FromSeconds(seconds.Value), SystemdWatchdog.Interval(usec, pid, processId: 4242));
    }

    [Theory]
    [InlineData("4242", true)]
    [InlineData("1", false)]
    [InlineData(null, false)]
    [InlineData("x", false)]
    public void StartedBySystemd_OnlyWhenSystemdExecPidIsThisProcess(string? execPid, bool expected)
    {
        Assert.Equal(expected, ServiceManagers.StartedBySystemd(execPid, processId: 4242));
    }

    private static async Task<string> ReceiveAsync(Socket socket, CancellationToken cancel)
    {
        var buffer = new byte[4096];
        var length = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }
}
