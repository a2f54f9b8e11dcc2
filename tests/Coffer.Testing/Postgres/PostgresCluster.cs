using System.Globalization;

namespace Coffer.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster a test owns: initdb into a temporary folder, listening only on 127.0.0.1 at a
/// free port, trust authentication (nothing but this machine's loopback reaches it). A test may stop it
/// (`pg_ctl stop -m immediate`, as a crash would) and start it again on the same port. Disposing stops it and
/// deletes the folder. PostgreSQL refuses to run as root, so under root every command runs as the `postgres` user.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private readonly DirectoryInfo folder;

    private PostgresCluster(DirectoryInfo folder, int port)
    {
        this.folder = folder;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Admin connection string (Npgsql keywords) to database <paramref name="database"/>.</summary>
    public string ConnectionString(string database = "postgres") =>
        string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database}");

    private string DataFolder => Path.Combine(folder.FullName, "data");

    public static async Task<PostgresCluster> StartAsync()
    {
        // Not under a test's Scratch folder: that one is private to root, and the postgres user must reach this one.
        var folder = Directory.CreateTempSubdirectory("coffer-pg-");
        var cluster = new PostgresCluster(folder, LoopbackPorts.Free());
        try
        {
            if (PostgresTools.RunningAsRoot)
            {
                await PostgresTools.MustAsync("chown", ["-R", "postgres:postgres", folder.FullName], asPostgres: false);
            }

            await PostgresTools.MustAsync(
                PostgresTools.Binary("initdb"),
                ["-D", cluster.DataFolder, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
            await cluster.StartAgainAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the stopped cluster again, on the same port, and waits until it accepts connections.</summary>
    public Task StartAgainAsync()
    {
        var settings = string.Create(
            CultureInfo.InvariantCulture,
            $"-c listen_addresses=127.0.0.1 -p {Port} -c unix_socket_directories='{folder.FullName}' -c max_connections=200");
        return PostgresTools.MustAsync(
            PostgresTools.Binary("pg_ctl"),
            ["-D", DataFolder, "-l", Path.Combine(folder.FullName, "postgres.log"), "-o", settings, "-w", "-t", "60", "start"]);
    }

    /// <summary>Stops the cluster the way a crash would (immediate mode: no checkpoint, connections cut).</summary>
    public Task StopImmediatelyAsync() =>
        PostgresTools.MustAsync(PostgresTools.Binary("pg_ctl"), ["-D", DataFolder, "-m", "immediate", "-w", "stop"]);

    public Task CreateDatabaseAsync(string name) => PostgresTools.CreateDatabaseAsync(ConnectionString(), name);

    /// <summary>The server's own log, for failure messages.</summary>
    public string Log
    {
        get
        {
            var path = Path.Combine(folder.FullName, "postgres.log");
            return File.Exists(path) ? File.ReadAllText(path) : "(no postgres.log)";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Directory.Exists(Path.Combine(DataFolder, "global")))
        {
            // Already stopped is fine; this only makes sure nothing outlives the test.
            await PostgresTools.RunAsync(PostgresTools.Binary("pg_ctl"), ["-D", DataFolder, "-m", "immediate", "-w", "stop"]);
        }

        folder.Delete(recursive: true);
    }
}
