using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace Coffer.Cli.Tests.EndToEnd;

/// <summary>
/// The real Coffer server, started from its built DLL on a free loopback port with a throwaway data folder,
/// so the CLI is tested over real HTTP exactly as a user runs it.
/// </summary>
public class ServerProcess : IAsyncLifetime
{
    private readonly string _dataFolder = Directory.CreateTempSubdirectory("coffer-e2e-data-").FullName;
    private Process? _process;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The PEM file of the private CA that issued the server's certificate, when <see cref="UseTls"/>.</summary>
    public string? CaCertFile { get; private set; }

    protected virtual bool UseTls => false;

    public virtual async Task InitializeAsync()
    {
        var dll = typeof(ServerProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "CofferServerDll").Value!;
        Assert.True(File.Exists(dll), $"Server not built at {dll}");

        var port = FreePort();
        BaseUrl = new Uri($"{(UseTls ? "https" : "http")}://127.0.0.1:{port}");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "--urls", BaseUrl.ToString().TrimEnd('/') },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["Coffer__DataFolder"] = _dataFolder;
        // Every test signs up and logs in from 127.0.0.1, far more often per hour than a person: the rate limits
        // stay on, only roomier (the server suite does the same in CofferFactory).
        foreach (var limit in new[] { "LoginPerIp", "PreloginPerIp", "RegistrationPerIp", "RefreshPerIp" })
        {
            start.Environment[$"Coffer__RateLimits__{limit}__Limit"] = "10000";
        }

        if (UseTls)
        {
            var (caPem, serverPfx) = TestCertificates.Create(_dataFolder);
            CaCertFile = caPem;
            start.Environment["Kestrel__Certificates__Default__Path"] = serverPfx;
            start.Environment["Kestrel__Certificates__Default__Password"] = TestCertificates.PfxPassword;
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient(Core.Client.CofferHttp.CreateHandler(CaCertFile)) { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            Assert.False(_process.HasExited, "The server exited during start-up.");
            try
            {
                using var response = await http.GetAsync(new Uri("/alive", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Timed out; try again.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("The server did not answer /alive within 60 seconds.");
    }

    public virtual async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        Directory.Delete(_dataFolder, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
