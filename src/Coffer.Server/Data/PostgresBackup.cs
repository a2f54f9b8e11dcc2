using System.Diagnostics;
using Npgsql;

namespace Coffer.Server.Data;

/// <summary>
/// <c>coffer-server backup</c> and <c>restore</c> when <c>Coffer:Database</c> names PostgreSQL: PostgreSQL's own
/// tools, run with the configured connection. <c>pg_dump --format=custom</c> takes a consistent snapshot (one
/// repeatable-read transaction) while the nodes keep writing; <c>pg_restore --single-transaction</c> restores all
/// or nothing. The password reaches them in the <c>PGPASSWORD</c> environment variable, never on the command
/// line (where <c>ps</c> would show it). The tools come from PATH, else from the newest
/// <c>/usr/lib/postgresql/*/bin</c> (Debian's layout); their major version must be at least the server's.
/// </summary>
public static class PostgresBackup
{
    /// <summary>Dumps the database into <paramref name="file"/> and verifies the archive.</summary>
    public static Backup.Report Dump(ServerOptions options, string file)
    {
        ArgumentNullException.ThrowIfNull(options);
        var connection = Connection(options);
        using (var db = Open(connection))
        using (var history = new NpgsqlCommand($"SELECT to_regclass('public.\"{Backup.HistoryTable}\"') IS NOT NULL", db))
        {
            if (history.ExecuteScalar() is not true)
            {
                throw new Backup.BackupException("The PostgreSQL database named by Coffer:Database holds no Coffer database (no migration history). Is Coffer__Database set as for the server?");
            }
        }

        Run("pg_dump", connection, ["--format=custom", "--no-owner", "--no-privileges", "--file=" + file, "--dbname=" + connection.Database]);
        return Verify(file, Backup.KnownMigrations(options));
    }

    /// <summary>
    /// Reads the archive through <c>pg_restore</c> without a database: its table of contents (<c>--list</c>), then
    /// every table's data, counting rows and reading the migration history.
    /// </summary>
    public static Backup.Report Verify(string file, IReadOnlyList<string> knownMigrations)
    {
        var none = new NpgsqlConnectionStringBuilder();
        try
        {
            Run("pg_restore", none, ["--list", file]);
        }
        catch (Backup.BackupException e)
        {
            throw new Backup.BackupException($"{file} is not a readable backup (pg_dump custom format): {e.Message}");
        }

        var tables = new List<(string Table, long Rows)>();
        var migrations = new List<string>();
        string? table = null;
        Run("pg_restore", none, ["--data-only", "--file=-", file], line =>
        {
            if (table is null)
            {
                // COPY public."__EFMigrationsHistory" ("MigrationId", "ProductVersion") FROM stdin;
                if (line.StartsWith("COPY ", StringComparison.Ordinal) && line.EndsWith("FROM stdin;", StringComparison.Ordinal))
                {
                    table = line[5..line.IndexOf(' ', 5)].Replace("public.", "", StringComparison.Ordinal).Trim('"');
                    tables.Add((table, 0));
                }
            }
            else if (line == "\\.")
            {
                table = null;
            }
            else
            {
                tables[^1] = (table, tables[^1].Rows + 1);
                if (table == Backup.HistoryTable)
                {
                    migrations.Add(line.Split('\t')[0]);
                }
            }
        });

        if (!tables.Exists(t => t.Table == Backup.HistoryTable))
        {
            throw new Backup.BackupException($"{file} is a PostgreSQL archive but not Coffer's (no migration history).");
        }

        Backup.CheckMigrations(file, migrations, knownMigrations);
        return new Backup.Report("ok (pg_restore read the whole archive)", migrations, [.. tables.OrderBy(t => t.Table, StringComparer.Ordinal)]);
    }

    /// <summary>Refuses a database that already has tables: a restore never merges into, or replaces, live data.</summary>
    public static void EnsureEmpty(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var db = Open(Connection(options));
        using var count = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')", db);
        if (count.ExecuteScalar() is not 0L)
        {
            throw new Backup.BackupException("The PostgreSQL database named by Coffer:Database already holds tables. Restore only into an empty database (CREATE DATABASE …, then point Coffer__Database at it).");
        }
    }

    /// <summary>Restores the archive in one transaction: any error leaves the database as empty as it was.</summary>
    public static void Load(ServerOptions options, string file)
    {
        ArgumentNullException.ThrowIfNull(options);
        var connection = Connection(options);
        Run("pg_restore", connection, ["--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges", "--dbname=" + connection.Database, file]);
    }

    private static NpgsqlConnectionStringBuilder Connection(ServerOptions options) =>
        new(PostgresConnection.TryParse(options.Database!, out _) ?? throw new Backup.BackupException("Coffer:Database is not a valid PostgreSQL connection string or URL."));

    private static NpgsqlConnection Open(NpgsqlConnectionStringBuilder connection)
    {
        var db = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connection.ConnectionString) { Pooling = false }.ConnectionString);
        try
        {
            db.Open();
            return db;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            db.Dispose();
            throw new Backup.BackupException($"Cannot connect to the PostgreSQL database named by Coffer:Database: {e.Message}");
        }
    }

    /// <summary>Runs a PostgreSQL tool with libpq's connection variables, handing each line of its output to <paramref name="line"/>; throws with its error text when it fails.</summary>
    private static void Run(string tool, NpgsqlConnectionStringBuilder connection, string[] args, Action<string>? line = null)
    {
        var start = new ProcessStartInfo(Find(tool)) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // libpq reads these (https://www.postgresql.org/docs/current/libpq-envars.html); nothing secret is an argument.
        start.Environment["PGHOST"] = connection.Host;
        start.Environment["PGPORT"] = connection.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["PGUSER"] = connection.Username;
        start.Environment["PGPASSWORD"] = connection.Password;
        start.Environment["PGSSLMODE"] = connection.SslMode switch
        {
            SslMode.Disable => "disable",
            SslMode.Allow => "allow",
            SslMode.Require => "require",
            SslMode.VerifyCA => "verify-ca",
            SslMode.VerifyFull => "verify-full",
            _ => "prefer",
        };
        start.Environment["PGCONNECT_TIMEOUT"] = "10";
        using var process = new Process { StartInfo = start };
        var error = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => error.AppendLine(e.Data);
        process.Start();
        process.BeginErrorReadLine();
        // Streamed: a data pass over a large archive never sits in memory whole.
        while (process.StandardOutput.ReadLine() is { } text)
        {
            line?.Invoke(text);
        }

        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new Backup.BackupException($"{tool} failed (exit code {process.ExitCode}): {error.ToString().Trim()}");
        }
    }

    private static string Find(string tool)
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0).Select(d => Path.Combine(d, "bin"))
                : []);
        return folders.Select(f => Path.Combine(f, tool)).FirstOrDefault(File.Exists)
            ?? throw new Backup.BackupException($"{tool} was not found on PATH or in /usr/lib/postgresql/*/bin. Install PostgreSQL's client tools (Debian: postgresql-client).");
    }
}
