using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace Coffer.Cli.Tests.EndToEnd;

/// <summary>
/// The real Coffer server, started from its built DLL on a free loopback port with a throwaway data folder,
/// so the CLI is tested over real HTTP exactly as a user runs it.
/// </summary>
public sealed class ServerProcess : IAsyncLifetime
{
    private readonly string _dataFolder = Directory.CreateTempSubdirectory("coffer-e2e-data-").FullName;
    private Process? _process;

    public Uri BaseUrl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var dll = typeof(ServerProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "CofferServerDll").Value!;
        Assert.True(File.Exists(dll), $"Server not built at {dll}");

        var port = FreePort();
        BaseUrl = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "--urls", BaseUrl.ToString().TrimEnd('/') },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["Coffer__DataFolder"] = _dataFolder;
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(2) };
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

    public async Task DisposeAsync()
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
