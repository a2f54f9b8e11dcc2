using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Coffer.Testing;

/// <summary>
/// The real, built coffer-server.dll running as a child process on a loopback port the server itself chose (it binds
/// port 0 and the address is read from its "Now listening on" line, so no other process can take the port between a
/// choice and the bind), with its own data folder:
/// over HTTPS with a certificate from a throwaway CA, or plain HTTP when no certificates are given. Its console output is kept so a failing test can show what the server logged.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private static readonly Regex ListeningLine = new(@"Now listening on: (https?://127\.0\.0\.1:\d+)", RegexOptions.CultureInvariant);

    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly TaskCompletionSource<Uri> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(Process process, string dataFolder)
    {
        this.process = process;
        DataFolder = dataFolder;
    }

    /// <summary>The node's data folder, for <see cref="RunCommandAsync"/> (the admin commands an operator runs beside it).</summary>
    public string DataFolder { get; }

    /// <summary>The base URL clients are configured with (https://127.0.0.1:PORT, or http:// without certificates).</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public string Url => BaseAddress.GetLeftPart(UriPartial.Authority);

    /// <summary>Null while the server runs; its exit code once it has stopped (which no test expects).</summary>
    public int? ExitCode => process.HasExited ? process.ExitCode : null;

    /// <summary>Everything the server wrote to stdout and stderr so far.</summary>
    public string Log
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts a node on <paramref name="dataFolder"/> and waits for /alive. <paramref name="extraEnvironment"/> adds
    /// settings on top of the defaults (a shared database, a shared signing key); a null value removes one.
    /// With <paramref name="launcher"/> the server's command line is appended to that command, which starts it
    /// (e.g. <c>sh -c '"$0" "$@"; exit $?'</c>), for tests about what the server makes of its parent process.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(
        TestCertificates? certificates, string dataFolder, IReadOnlyDictionary<string, string?>? extraEnvironment = null, IReadOnlyList<string>? launcher = null)
    {
        var serverDll = RepoPaths.ServerDll;
        var environment = ServerEnvironment(certificates, dataFolder, extraEnvironment);
        string[] command = [.. launcher ?? [], ChildProcess.DotnetHost, serverDll, "--urls", $"{(certificates is null ? "http" : "https")}://127.0.0.1:0"];
        var info = ChildProcess.CreateStartInfo(command[0], command[1..], environment, Path.GetDirectoryName(serverDll)!);
        var process = new Process { StartInfo = info };
        var server = new ServerProcess(process, dataFolder);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await server.WaitUntilAliveAsync(certificates);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        process.Dispose();
    }

    /// <summary>
    /// Runs a one-off `coffer-server COMMAND …` (admin, backup, restore) with the environment a node on
    /// <paramref name="dataFolder"/> would have, and waits for it to exit.
    /// </summary>
    public static Task<ProcessResult> RunCommandAsync(
        TestCertificates? certificates, string dataFolder, IReadOnlyDictionary<string, string?>? extraEnvironment, params string[] arguments)
    {
        var serverDll = RepoPaths.ServerDll;
        return ChildProcess.RunAsync(
            ChildProcess.DotnetHost,
            [serverDll, .. arguments],
            ServerEnvironment(certificates, dataFolder, extraEnvironment),
            Path.GetDirectoryName(serverDll)!,
            TimeSpan.FromMinutes(2),
            "coffer-server");
    }

    /// <summary>Ends the process with SIGKILL, as `kill -9` would: no shutdown code runs, nothing is flushed.</summary>
    public async Task KillAsync()
    {
        if (!process.HasExited)
        {
            // On Unix, Process.Kill sends SIGKILL to the process (the dotnet host running the server itself).
            process.Kill(entireProcessTree: false);
        }

        await process.WaitForExitAsync();
    }

    private static Dictionary<string, string?> ServerEnvironment(
        TestCertificates? certificates, string dataFolder, IReadOnlyDictionary<string, string?>? extraEnvironment)
    {
        var environment = new Dictionary<string, string?>
        {
            ["Coffer__DataFolder"] = dataFolder,
            ["Kestrel__Certificates__Default__Path"] = certificates?.ServerCertPath,
            ["Kestrel__Certificates__Default__KeyPath"] = certificates?.ServerKeyPath,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            // The test host's own settings must not leak into the server under test.
            ["ASPNETCORE_URLS"] = null,
            ["ASPNETCORE_HTTP_PORTS"] = null,
            ["ASPNETCORE_HTTPS_PORTS"] = null,
            // The bound address is read from this logger's "Now listening on" line.
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        };

        // Every test signs up, logs in and sends two-step codes from 127.0.0.1, and some log one account in
        // several times a minute, far more often than a person would: the rate limits stay on, only roomier (as
        // CofferFactory does for the server suite, which covers the limits themselves). The failed-login lockout
        // keeps its defaults.
        string[] limits =
        [
            "LoginPerIp", "LoginPerAccount", "RefreshPerIp", "PreloginPerIp", "PreloginPerAccount",
            "RegistrationPerIp", "RegistrationPerAccount", "TwoFactorPerIp", "TwoFactorPerAccount", "SendAccessPerIp",
        ];
        foreach (var limit in limits)
        {
            environment[$"Coffer__RateLimits__{limit}__Limit"] = "10000";
        }

        foreach (var (name, value) in extraEnvironment ?? new Dictionary<string, string?>())
        {
            environment[name] = value;
        }

        return environment;
    }

    private async Task WaitUntilAliveAsync(TestCertificates? certificates)
    {
        var deadline = Stopwatch.StartNew();
        using (var exited = new CancellationTokenSource())
        {
            var exit = process.WaitForExitAsync(exited.Token);
            var first = await Task.WhenAny(listening.Task, exit, Task.Delay(StartTimeout));
            await exited.CancelAsync();
            if (first != listening.Task)
            {
                // Let the pipes drain so the log holds the reason.
                await Task.Delay(200);
                throw process.HasExited
                    ? new InvalidOperationException($"coffer-server exited with code {process.ExitCode} before listening.\n{Log}")
                    : new TimeoutException($"coffer-server did not report a listening address within {StartTimeout.TotalSeconds} s.\n{Log}");
            }

            BaseAddress = await listening.Task;
        }

        using var client = new HttpClient(certificates?.CreateTrustingHandler() ?? new HttpClientHandler()) { Timeout = TimeSpan.FromSeconds(5) };
        var alive = new Uri(BaseAddress, "/alive");
        string lastError = "no attempt yet";
        while (deadline.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException(
                    $"coffer-server exited with code {process.ExitCode} before answering {alive}.\n{Log}");
            }

            try
            {
                using var response = await client.GetAsync(alive);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                lastError = $"HTTP {(int)response.StatusCode}";
            }
            catch (HttpRequestException e)
            {
                lastError = e.InnerException is null ? e.Message : $"{e.Message} ({e.InnerException.Message})";
            }
            catch (TaskCanceledException)
            {
                lastError = "request timed out";
            }

            await Task.Delay(200);
        }

        throw new TimeoutException(
            $"coffer-server did not answer GET {alive} within {StartTimeout.TotalSeconds} s (last: {lastError}).\n{Log}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }

        if (!listening.Task.IsCompleted && ListeningLine.Match(line) is { Success: true } match)
        {
            listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }
}
