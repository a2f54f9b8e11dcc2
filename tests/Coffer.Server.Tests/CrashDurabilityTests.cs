using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>
/// The real server process killed with SIGKILL in the middle of a write load: on restart, every write it
/// acknowledged is there and the audit chain is intact (SQLite in WAL mode, <c>synchronous=FULL</c>).
/// </summary>
public sealed class CrashDurabilityTests : IDisposable
{
    private readonly string folder = CofferFactory.CreateTempFolder();

    public void Dispose() => CofferFactory.DeleteFolder(folder);

    [SqliteFact]
    [Trait("Provider", "SqliteOnly")]
    public async Task ServerKilledUnderWriteLoad_KeepsEveryAcknowledgedItem()
    {
        var port = LoopbackPorts.Free();
        var acknowledged = new ConcurrentBag<string>();
        string accessToken;
        using (var server = Start(port))
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await WaitUntilHealthyAsync(client, server);
            var credentials = Credentials.New();
            await IdentityApi.RegisterAsync(client, credentials);
            accessToken = (await IdentityApi.LoginAsync(client, credentials, Fake.DeviceIdentifier())).RequireString("access_token");
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);

            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        using var response = await client.PostJsonAsync("/api/ciphers", Payloads.LoginCipher());
                        acknowledged.Add((await response.ExpectObjectAsync()).RequireString("id"));
                    }
                }
                catch (HttpRequestException)
                {
                    // The kill: a request in flight is not acknowledged, so nothing is promised about it.
                }
            })).ToList();
            while (acknowledged.Count < 30)
            {
                await Task.Delay(5);
            }

            server.Kill();
            await server.WaitForExitAsync();
            await Task.WhenAll(writers);
        }

        await using var restarted = CofferFactory.OnExistingFolder(folder);
        using var reader = restarted.CreateClient();
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var sync = await reader.GetAsync("/api/sync?excludeDomains=true");
        var stored = (await sync.ExpectObjectAsync()).RequireArray("ciphers").Select(c => c.RequireString("id")).ToHashSet();
        Assert.Superset(acknowledged.ToHashSet(), stored);
        var audit = await ServerCommand.RunAsync(folder, "audit", "verify");
        Assert.True(audit.ExitCode == 0, audit.Output + audit.Error);
    }

    private Process Start(int port)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "coffer-server.dll"), "--urls", $"http://127.0.0.1:{port}" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["Coffer__DataFolder"] = folder;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start)!;
        // Drained so a chatty server never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitUntilHealthyAsync(HttpClient client, Process server)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            Assert.False(server.HasExited, "the server exited during start");
            try
            {
                using var health = await client.GetAsync("/health", timeout.Token);
                if (health.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(50, timeout.Token);
        }
    }
}
