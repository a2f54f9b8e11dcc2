using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Coffer.Server.Tests.Infrastructure;
using Npgsql;

namespace Coffer.Server.Tests.Notifications;

/// <summary>
/// A PostgreSQL server for tests: the one named by <c>COFFER_TEST_POSTGRES</c> (an admin connection string, as
/// test.sh sets it), else a throwaway cluster started here with initdb/pg_ctl on 127.0.0.1 and removed afterwards.
/// Each test takes a database of its own (<see cref="CreateDatabaseAsync"/>), and NOTIFY never crosses databases.
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    private const string Binaries = "/usr/lib/postgresql/15/bin";
    private readonly List<string> databases = [];
    private string? folder;

    public string AdminConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("COFFER_TEST_POSTGRES") is { Length: > 0 } configured)
        {
            AdminConnectionString = configured;
            return;
        }

        folder = CofferFactory.CreateTempFolder();
        var data = Path.Combine(folder, "data");
        var port = FreePort();
        // initdb refuses to run as root; the cluster then belongs to the postgres user.
        await RunAsync("chown", "postgres", folder);
        await RunAsync(Path.Combine(Binaries, "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "--no-sync");
        await RunAsync(Path.Combine(Binaries, "pg_ctl"), "-D", data, "-l", Path.Combine(folder, "server.log"), "-w", "start",
            "-o", $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off");
        AdminConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
    }

    /// <summary>A new, empty database; its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "coffer_notify_" + Guid.NewGuid().ToString("N");
        await using (var admin = NpgsqlDataSource.Create(AdminConnectionString))
        {
            await using var create = admin.CreateCommand($"CREATE DATABASE {name}");
            await create.ExecuteNonQueryAsync();
        }

        databases.Add(name);
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    /// <summary>Ends every session of <paramref name="applicationName"/> in the database, as a lost connection would.</summary>
    public async Task<int> TerminateAsync(string connectionString, string applicationName)
    {
        await using var admin = NpgsqlDataSource.Create(AdminConnectionString);
        await using var kill = admin.CreateCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2");
        kill.Parameters.Add(new NpgsqlParameter { Value = new NpgsqlConnectionStringBuilder(connectionString).Database });
        kill.Parameters.Add(new NpgsqlParameter { Value = applicationName });
        return Convert.ToInt32(await kill.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (folder is null)
        {
            await using var admin = NpgsqlDataSource.Create(AdminConnectionString);
            foreach (var name in databases)
            {
                await using var drop = admin.CreateCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                await drop.ExecuteNonQueryAsync();
            }

            return;
        }

        await RunAsync(Path.Combine(Binaries, "pg_ctl"), "-D", Path.Combine(folder, "data"), "-m", "immediate", "-w", "stop");
        CofferFactory.DeleteFolder(folder);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var asRoot = Environment.UserName == "root" && program != "chown";
        var start = new ProcessStartInfo(asRoot ? "runuser" : program) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (asRoot)
        {
            foreach (var prefix in new[] { "-u", "postgres", "--", program })
            {
                start.ArgumentList.Add(prefix);
            }
        }
        else if (program == "chown" && Environment.UserName != "root")
        {
            return;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} failed ({process.ExitCode}): {await output}{await error}");
    }
}
