using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Coffer.Bench;

/// <summary>
/// A server under test run as a child process on a free loopback port: coffer-server itself, or this executable's
/// <c>serve-baseline</c>. Running both as separate processes keeps the comparison fair (each pays its own GC and
/// thread pool, neither shares them with the load generator). Children are killed on dispose and on exit.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private const int MaxKeptOutputLines = 200;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(2);

    private readonly Process process;
    private readonly string? ownedFolder;
    private readonly Queue<string> output = new();
    private long executedCommands;

    private ServerProcess(Process process, int port, string? ownedFolder)
    {
        this.process = process;
        Port = port;
        this.ownedFolder = ownedFolder;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public int Pid => process.Id;

    /// <summary>Process start until the first 200 from the health path.</summary>
    public TimeSpan StartToHealthy { get; private set; }

    /// <summary>
    /// CPU time (user + system, all threads) the process had used when it first answered healthy: unlike
    /// <see cref="StartToHealthy"/>, barely moved by other work on a shared machine.
    /// </summary>
    public TimeSpan CpuToHealthy { get; private set; }

    /// <summary>
    /// Starts coffer-server with a fresh (or the given) data folder. A fresh folder is deleted on dispose.
    /// </summary>
    /// <remarks>
    /// With <paramref name="httpsPort"/> it also listens over HTTPS there (the certificate in <paramref name="extraEnvironment"/>'s
    /// <c>Kestrel__Certificates__Default__…</c>); health is still polled over HTTP.
    /// </remarks>
    public static Task<ServerProcess> StartCofferAsync(string serverDll, string? dataFolder = null, bool perfMap = false, bool logCommands = false,
        IReadOnlyDictionary<string, string>? extraEnvironment = null, int? httpsPort = null)
    {
        var owned = dataFolder is null;
        dataFolder ??= Directory.CreateTempSubdirectory("coffer-bench-").FullName;
        var port = FreePort();
        var environment = new Dictionary<string, string>
        {
            ["Coffer__DataFolder"] = dataFolder,
            // Warnings only: console logging per request would measure the terminal, not the server.
            ["Logging__LogLevel__Default"] = "Warning",
        };
        if (logCommands)
        {
            // Every SQL command the server sends is logged, so a run can count the queries of one request.
            environment["Logging__LogLevel__Microsoft.EntityFrameworkCore.Database.Command"] = "Information";
        }

        if (perfMap)
        {
            // Lets `perf report` name JIT-compiled frames (writes /tmp/perf-<pid>.map). W^X off, or the code
            // runs from an anonymous double mapping that perf cannot match with the map.
            environment["DOTNET_PerfMapEnabled"] = "1";
            environment["DOTNET_EnableWriteXorExecute"] = "0";
        }

        foreach (var (key, value) in extraEnvironment ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var urls = httpsPort is { } https ? $"http://127.0.0.1:{port};https://127.0.0.1:{https}" : $"http://127.0.0.1:{port}";
        return StartAsync(serverDll, ["--urls", urls], port, environment, "/health", owned ? dataFolder : null);
    }

    /// <summary>Starts this executable's minimal Kestrel app serving <paramref name="staticFile"/> at /static.</summary>
    public static Task<ServerProcess> StartBaselineAsync(string staticFile)
    {
        var port = FreePort();
        var self = typeof(ServerProcess).Assembly.Location;
        return StartAsync(self, ["serve-baseline", staticFile, port.ToString(CultureInfo.InvariantCulture)], port, new Dictionary<string, string>(), "/hello", null);
    }

    /// <summary>
    /// Starts the bare ASP.NET Core app (bench/Coffer.Bare) on a free port, logging at Warning like Coffer here;
    /// healthy at its first 200 from /health.
    /// </summary>
    public static Task<ServerProcess> StartBareAsync(string bareDll, IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        var port = FreePort();
        var environment = new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning" };
        foreach (var (key, value) in extraEnvironment ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return StartAsync(bareDll, ["--urls", $"http://127.0.0.1:{port}"], port, environment, "/health", null);
    }

    private static async Task<ServerProcess> StartAsync(string dll, string[] args, int port, Dictionary<string, string> environment, string healthPath, string? ownedFolder)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The baseline exits when its stdin closes, so it never outlives a bench process that is killed.
            RedirectStandardInput = true,
        };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var health = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(1), PooledConnectionLifetime = TimeSpan.Zero })
        {
            Timeout = TimeSpan.FromSeconds(5),
        };
        var healthUri = new Uri($"http://127.0.0.1:{port}{healthPath}");

        var clock = Stopwatch.StartNew();
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {dll}.");
        var server = new ServerProcess(process, port, ownedFolder);
        ChildProcesses.Track(process);
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        while (clock.Elapsed < StartTimeout && !process.HasExited)
        {
            try
            {
                using var response = await health.GetAsync(healthUri);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    server.StartToHealthy = clock.Elapsed;
                    server.CpuToHealthy = server.CpuTime();
                    return server;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or too busy starting to answer within the poll's timeout (a loaded machine).
            }

            await Task.Delay(PollInterval);
        }

        var log = server.Output();
        await server.DisposeAsync();
        throw new InvalidOperationException($"{Path.GetFileName(dll)} did not become healthy within {StartTimeout.TotalSeconds} s. Output:\n{log}");
    }

    /// <summary>Resident set size and its peak (VmRSS, VmHWM of /proc/&lt;pid&gt;/status), in MiB.</summary>
    public (double RssMiB, double PeakMiB) Memory()
    {
        double rss = double.NaN, peak = double.NaN;
        foreach (var line in File.ReadLines($"/proc/{process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = KiBToMiB(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = KiBToMiB(line);
            }
        }

        return (rss, peak);
    }

    /// <summary>
    /// VmRSS split as /proc/&lt;pid&gt;/status does, in MiB: anonymous (GC heap, native heaps, stacks), file-backed (mapped
    /// assemblies and native libraries) and shared memory (with W^X on, the runtime's double-mapped executable memory:
    /// JIT-compiled code and stubs).
    /// </summary>
    public (double AnonMiB, double FileMiB, double ShmemMiB) MemoryParts()
    {
        double anon = double.NaN, file = double.NaN, shmem = double.NaN;
        foreach (var line in File.ReadLines($"/proc/{process.Id}/status"))
        {
            if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
            {
                anon = KiBToMiB(line);
            }
            else if (line.StartsWith("RssFile:", StringComparison.Ordinal))
            {
                file = KiBToMiB(line);
            }
            else if (line.StartsWith("RssShmem:", StringComparison.Ordinal))
            {
                shmem = KiBToMiB(line);
            }
        }

        return (anon, file, shmem);
    }

    /// <summary>utime + stime of /proc/&lt;pid&gt;/stat (fields 14 and 15, in clock ticks of 10 ms).</summary>
    public TimeSpan CpuTime()
    {
        var stat = File.ReadAllText($"/proc/{process.Id}/stat");
        // The command name (field 2) may hold spaces; the fields after its closing parenthesis start at field 3.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(ticks * 10);
    }

    /// <summary>Resets the peak (VmHWM) to the current RSS (proc(5), <c>clear_refs</c> value 5), so a later <see cref="Memory"/> reads the peak of what follows.</summary>
    public void ResetPeak() => File.WriteAllText($"/proc/{process.Id}/clear_refs", "5");

    /// <summary>The "Executed DbCommand" lines the server has logged so far (with <c>logCommands</c> on).</summary>
    public long ExecutedCommands => Interlocked.Read(ref executedCommands);

    public string Output()
    {
        lock (output)
        {
            return string.Join('\n', output);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(timeout.Token);
        }

        ChildProcesses.Forget(process);
        process.Dispose();
        if (ownedFolder is not null)
        {
            Directory.Delete(ownedFolder, recursive: true);
        }
    }

    /// <summary>A port the OS just handed out; the tiny race until the child binds it is acceptable on loopback.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static double KiBToMiB(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.Contains("Executed DbCommand", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref executedCommands);
        }

        lock (output)
        {
            output.Enqueue(line);
            while (output.Count > MaxKeptOutputLines)
            {
                output.Dequeue();
            }
        }
    }
}
