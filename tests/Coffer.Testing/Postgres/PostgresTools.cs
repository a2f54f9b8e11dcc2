using System.Data.Common;

namespace Coffer.Testing;

/// <summary>
/// The PostgreSQL 15 programs (initdb, pg_ctl, psql) run as child processes: the tests need no PostgreSQL driver of
/// their own, only what an operator would type. <c>COFFER_TEST_PG_BIN</c> names another bin folder.
/// </summary>
public static class PostgresTools
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static bool RunningAsRoot => Environment.UserName == "root";

    public static string BinFolder { get; } = FindBinFolder();

    public static string Binary(string name) => Path.Combine(BinFolder, name);

    /// <summary>Runs a program (as the postgres user under root) and fails the test when it fails.</summary>
    public static async Task<ProcessResult> MustAsync(string program, IEnumerable<string> arguments, bool asPostgres = true)
    {
        var result = await RunAsync(program, arguments, asPostgres);
        return result.Succeeded ? result : throw new InvalidOperationException($"PostgreSQL tooling failed:\n{result}");
    }

    public static Task<ProcessResult> RunAsync(string program, IEnumerable<string> arguments, bool asPostgres = true)
    {
        var (fileName, args) = asPostgres && RunningAsRoot
            ? ("runuser", (IEnumerable<string>)["-u", "postgres", "--", program, .. arguments])
            : (program, arguments);
        return ChildProcess.RunAsync(fileName, args, new Dictionary<string, string?>(), Path.GetTempPath(), Timeout, Path.GetFileName(program));
    }

    /// <summary>CREATE DATABASE through psql, connecting with <paramref name="adminConnectionString"/> (Npgsql keywords).</summary>
    public static Task CreateDatabaseAsync(string adminConnectionString, string name) =>
        PsqlAsync(adminConnectionString, $"CREATE DATABASE \"{name}\"");

    /// <summary>DROP DATABASE … WITH (FORCE): the nodes may still hold connections when a fixture ends.</summary>
    public static Task DropDatabaseAsync(string adminConnectionString, string name) =>
        PsqlAsync(adminConnectionString, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");

    /// <summary>The connection string of database <paramref name="database"/> on the server of <paramref name="adminConnectionString"/>.</summary>
    public static string WithDatabase(string adminConnectionString, string database)
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = adminConnectionString };
        builder["Database"] = database;
        return builder.ConnectionString;
    }

    private static async Task PsqlAsync(string adminConnectionString, string sql)
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = adminConnectionString };
        string? Value(params string[] keys) => keys.Select(k => builder.TryGetValue(k, out var v) ? v?.ToString() : null).FirstOrDefault(v => v is { Length: > 0 });
        var environment = new Dictionary<string, string?>
        {
            ["PGHOST"] = Value("Host", "Server") ?? "127.0.0.1",
            ["PGPORT"] = Value("Port") ?? "5432",
            ["PGUSER"] = Value("Username", "User Id", "User", "UserName") ?? "postgres",
            ["PGPASSWORD"] = Value("Password"),
            ["PGDATABASE"] = Value("Database") ?? "postgres",
        };
        var psql = File.Exists(Binary("psql")) ? Binary("psql") : "psql";
        var result = await ChildProcess.RunAsync(
            psql, ["-v", "ON_ERROR_STOP=1", "-q", "-c", sql], environment, Path.GetTempPath(), Timeout, "psql");
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"psql failed:\n{result}");
        }
    }

    private static string FindBinFolder()
    {
        if (Environment.GetEnvironmentVariable("COFFER_TEST_PG_BIN") is { Length: > 0 } configured)
        {
            return configured;
        }

        // Debian installs each major version side by side; take the newest that has initdb.
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var major) ? major : 0)
                .ToList()
            : [];
        return candidates.FirstOrDefault()
            ?? throw new InvalidOperationException("No PostgreSQL server binaries under /usr/lib/postgresql/*/bin; set COFFER_TEST_PG_BIN.");
    }
}
