using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Data;

/// <summary>
/// <c>coffer-server backup --output FILE</c> and <c>coffer-server restore --input FILE</c> for the SQLite database.
/// The backup uses SQLite's online backup API (https://www.sqlite.org/backup.html) through
/// <see cref="SqliteConnection.BackupDatabase(SqliteConnection)"/>: a consistent snapshot taken under a read
/// transaction, so a running server keeps writing (WAL readers never block the writer). It is written to a
/// temporary file beside FILE (mode 0600), flushed to disk, verified, and only then moved into place.
/// The signing key (<c>jwt-signing.key</c> in the data folder, or <c>Coffer:JwtSigningKey</c>: access tokens and the
/// audit chain's HMAC) is deliberately not in the backup: a stolen database copy must not let its holder mint
/// sessions or rewrite the audit log (SECURITY.md). A restore without it signs everyone out and makes the audit
/// chain unverifiable, so it is never dropped silently: <c>--key-output KEYFILE</c> writes a copy (0600) to keep
/// apart from the backups, <c>restore --key KEYFILE</c> puts it back, and without them both commands warn.
/// With PostgreSQL (<c>Coffer:Database</c>) the same commands run <c>pg_dump</c> and <c>pg_restore</c> instead
/// (<see cref="PostgresBackup"/>), with MySQL or MariaDB <c>mariadb-dump</c> and <c>mariadb</c> (<see cref="MySqlBackup"/>). Exit codes: 0 done, 1 refused or failed (with the reason on stderr).
/// </summary>
public static class Backup
{
    public const string KeyFileName = "jwt-signing.key";

    /// <summary>What <see cref="Verify"/> found: SQLite's integrity check, the migrations applied, and rows per table.</summary>
    public sealed record Report(string Integrity, IReadOnlyList<string> Migrations, IReadOnlyList<(string Table, long Rows)> Tables);

    /// <summary>An expected refusal or failure: its message is the whole story for the operator.</summary>
    public sealed class BackupException(string message) : Exception(message);

    public static int Create(ServerOptions options, string output, bool force, string? keyOutput)
    {
        ArgumentNullException.ThrowIfNull(options);
        output = Path.GetFullPath(output);
        var keyFile = Path.Combine(Path.GetFullPath(options.DataFolder), KeyFileName);
        keyOutput = keyOutput is null ? null : Path.GetFullPath(keyOutput);
        return Run(() =>
        {
            if (!options.UsesSharedDatabase && !File.Exists(options.DatabasePath))
            {
                throw new BackupException($"There is no Coffer database at {options.DatabasePath}. Is Coffer__DataFolder set as for the server?");
            }

            if (!force && (File.Exists(output) || File.Exists(keyOutput)))
            {
                throw new BackupException($"{(File.Exists(output) ? output : keyOutput)} already exists. Choose another name, or pass --force to replace it.");
            }

            if (keyOutput is not null && options.JwtSigningKey is not null)
            {
                throw new BackupException("--key-output copies the data folder's generated key, but this server's signing key is Coffer__JwtSigningKey: keep that value apart from the backups instead.");
            }

            if (keyOutput is not null && !File.Exists(keyFile))
            {
                throw new BackupException($"--key-output: there is no signing key at {keyFile}.");
            }

            if (!Directory.Exists(Path.GetDirectoryName(output)))
            {
                throw new BackupException($"The folder of {output} does not exist.");
            }

            var temp = TempBeside(output);
            try
            {
                var report = options.Provider switch
                {
                    DatabaseKind.Postgres => PostgresBackup.Dump(options, temp),
                    DatabaseKind.MySql => MySqlBackup.Dump(options, temp),
                    _ => SqliteDump(options, temp),
                };
                FlushToDisk(temp);
                Print(report, output);
                File.Move(temp, output, force);
            }
            finally
            {
                File.Delete(temp);
            }

            Console.WriteLine($"Backup written to {output}.");
            if (keyOutput is not null)
            {
                CopyPrivate(keyFile, keyOutput, force);
                Console.WriteLine($"Signing key written to {keyOutput}: store it apart from the backups (whoever holds both can mint sessions).");
            }
            else if (options.JwtSigningKey is not null)
            {
                Console.WriteLine("The signing key is Coffer__JwtSigningKey, which is not in the backup: keep that value too, stored apart from the backups.");
            }
            else
            {
                Console.Error.WriteLine($"Warning: the signing key {keyFile} is not in the backup. Back it up separately (--key-output KEYFILE): a restore without it signs every device out and `coffer-server audit verify` fails.");
            }
        });
    }

    public static int Restore(ServerOptions options, string input, string? key)
    {
        ArgumentNullException.ThrowIfNull(options);
        var folder = Path.GetFullPath(options.DataFolder);
        input = Path.GetFullPath(input);
        key = key is null ? null : Path.GetFullPath(key);
        return Run(() =>
        {
            if (!File.Exists(input))
            {
                throw new BackupException($"There is no backup file at {input}.");
            }

            if (options.Provider == DatabaseKind.Postgres)
            {
                PostgresBackup.EnsureEmpty(options);
            }
            else if (options.Provider == DatabaseKind.MySql)
            {
                MySqlBackup.EnsureEmpty(options);
            }
            else if (DatabaseFiles.Any(suffix => File.Exists(options.DatabasePath + suffix)))
            {
                throw new BackupException($"{folder} already holds a database. Restore only into an empty data folder (stop the server, move the folder away, then restore).");
            }

            var keyFile = Path.Combine(folder, KeyFileName);
            CheckKey(options, key, keyFile);

            var report = options.Provider switch
            {
                DatabaseKind.Postgres => PostgresBackup.Verify(input, KnownMigrations(options)),
                DatabaseKind.MySql => MySqlBackup.Verify(input, KnownMigrations(options)),
                _ => Verify(input, KnownMigrations(options)),
            };
            Print(report, input);
            Hosting.DataFolder.Ensure(folder);
            if (options.Provider == DatabaseKind.Postgres)
            {
                PostgresBackup.Load(options, input);
                Console.WriteLine("Database restored into the PostgreSQL database named by Coffer:Database.");
            }
            else if (options.Provider == DatabaseKind.MySql)
            {
                MySqlBackup.Load(options, input, report);
                Console.WriteLine("Database restored into the MySQL database named by Coffer:Database; every table's row count matches the backup.");
            }
            else
            {
                SqliteLoad(input, options.DatabasePath, Files.BlobStorage.FilesFolder(options));
                Console.WriteLine($"Database restored to {options.DatabasePath}.");
            }

            if (key is not null)
            {
                if (!File.Exists(keyFile))
                {
                    CopyPrivate(key, keyFile, overwrite: false);
                }

                Console.WriteLine($"Signing key restored to {keyFile}.");
            }
            else if (options.JwtSigningKey is null && !File.Exists(keyFile))
            {
                Console.Error.WriteLine("Warning: no signing key was given (--key KEYFILE) and the data folder has none: the server will generate a new one, which signs every device out and makes `coffer-server audit verify` fail.");
            }
        });
    }

    /// <summary>The key given to restore must be usable and must not silently replace the data folder's own.</summary>
    private static void CheckKey(ServerOptions options, string? key, string keyFile)
    {
        if (key is null)
        {
            return;
        }

        if (options.JwtSigningKey is not null)
        {
            throw new BackupException("--key restores a generated key file, but this server's signing key is Coffer__JwtSigningKey: set it to the original value instead.");
        }

        if (!File.Exists(key) || !HasKey(key))
        {
            throw new BackupException($"{key} is not a signing key file (Base64 of at least 32 bytes).");
        }

        if (File.Exists(keyFile) && !File.ReadAllBytes(key).AsSpan().SequenceEqual(File.ReadAllBytes(keyFile)))
        {
            throw new BackupException($"{keyFile} exists and differs from {key}. Restore into an empty data folder.");
        }
    }

    private static bool HasKey(string path)
    {
        var text = File.ReadAllText(path).Trim();
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var written) && written >= 32;
    }

    private static Report SqliteDump(ServerOptions options, string temp)
    {
        using (var from = Open(options.DatabasePath, SqliteOpenMode.ReadWrite))
        using (var to = Open(temp, SqliteOpenMode.ReadWriteCreate))
        {
            from.BackupDatabase(to);
            // A self-contained single file: the backup carries the source's WAL flag, which would make
            // every reader create -wal and -shm files beside it. The server turns WAL on again at start.
            Execute(to, "PRAGMA journal_mode=DELETE;");
            var files = BackupFiles.CopyInto(to, Files.BlobStorage.FilesFolder(options));
            Console.WriteLine($"Attachment and Send files copied into the backup: {files}.");
        }

        return Verify(temp, KnownMigrations(options));
    }

    private static void SqliteLoad(string input, string target, string filesRoot)
    {
        var temp = TempBeside(target);
        try
        {
            using (var from = Open(input, SqliteOpenMode.ReadOnly))
            using (var to = Open(temp, SqliteOpenMode.ReadWriteCreate))
            {
                from.BackupDatabase(to);
                // The files go back under the data folder before the database takes its real name: a restore that
                // fails here leaves no database, so it can simply be run again.
                var files = BackupFiles.ExtractFrom(to, filesRoot);
                Console.WriteLine($"Attachment and Send files restored to {filesRoot}: {files}.");
            }

            FlushToDisk(temp);
            File.Move(temp, target, overwrite: false);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>
    /// Opens <paramref name="file"/> read-only and checks it: <c>PRAGMA integrity_check</c> is "ok", the applied
    /// migrations are exactly those this build knows, and every table can be counted.
    /// </summary>
    public static Report Verify(string file, IReadOnlyList<string> knownMigrations)
    {
        ArgumentNullException.ThrowIfNull(knownMigrations);
        try
        {
            using var db = Open(file, SqliteOpenMode.ReadOnly);
            var integrity = string.Join("; ", Query(db, "PRAGMA integrity_check;", r => r.GetString(0)));
            if (integrity != "ok")
            {
                throw new BackupException($"{file} fails SQLite's integrity check: {integrity}");
            }

            var tables = Query(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name;", r => r.GetString(0));
            if (!tables.Contains(HistoryTable))
            {
                throw new BackupException($"{file} is a SQLite database but not Coffer's (no migration history).");
            }

            var migrations = Query(db, $"SELECT MigrationId FROM \"{HistoryTable}\" ORDER BY MigrationId;", r => r.GetString(0));
            CheckMigrations(file, migrations, knownMigrations);

            var counts = tables.ConvertAll(t => (t, Query(db, $"SELECT count(*) FROM \"{t.Replace("\"", "\"\"", StringComparison.Ordinal)}\";", r => r.GetInt64(0))[0]));
            return new Report(integrity, migrations, counts);
        }
        catch (SqliteException e)
        {
            throw new BackupException($"{file} is not a readable backup (SQLite): {e.Message}");
        }
    }

    /// <summary>A backup must hold exactly the migrations this build applies: an older or newer schema is refused.</summary>
    internal static void CheckMigrations(string file, IReadOnlyList<string> found, IReadOnlyList<string> known)
    {
        if (!found.Order(StringComparer.Ordinal).SequenceEqual(known.Order(StringComparer.Ordinal)))
        {
            throw new BackupException($"{file} has migrations [{string.Join(", ", found)}]; this server expects [{string.Join(", ", known)}]. Use the coffer-server version that wrote it.");
        }
    }

    /// <summary>The migrations this build applies on the configured provider, oldest first.</summary>
    public static IReadOnlyList<string> KnownMigrations(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        using CofferDb db = options.Provider switch
        {
            DatabaseKind.Postgres => new PostgresCofferDb(new DbContextOptionsBuilder<PostgresCofferDb>().UseNpgsql(PostgresConnection.TryParse(options.Database!, out _)).Options),
            DatabaseKind.MySql => new MySqlCofferDb(new DbContextOptionsBuilder<MySqlCofferDb>().UseMySQL(MySqlConnectionString.TryParse(options.Database!, out _)!).Options),
            _ => new SqliteCofferDb(new DbContextOptionsBuilder<SqliteCofferDb>().UseSqlite(new SqliteConnectionStringBuilder { DataSource = options.DatabasePath }.ToString()).Options),
        };
        return [.. db.Database.GetMigrations()];
    }

    internal const string HistoryTable = "__EFMigrationsHistory";


    // The database and SQLite's companion files: any of them means the folder is in use.
    private static readonly string[] DatabaseFiles = ["", "-wal", "-shm", "-journal"];

    private static int Run(Action body)
    {
        try
        {
            body();
            return 0;
        }
        catch (Exception e) when (e is BackupException or IOException or UnauthorizedAccessException or System.Data.Common.DbException or System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine("Error: " + e.Message);
            return 1;
        }
    }

    internal static void Print(Report report, string file)
    {
        Console.WriteLine($"Verified {file}: integrity {report.Integrity}, {report.Migrations.Count} migrations.");
        foreach (var (table, rows) in report.Tables)
        {
            Console.WriteLine($"  {table}\t{rows}");
        }
    }

    private static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString());
        connection.Open();
        // Waits for the server's writer instead of failing while it commits.
        Execute(connection, "PRAGMA busy_timeout=10000;");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static List<T> Query<T>(SqliteConnection connection, string sql, Func<SqliteDataReader, T> read)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>An empty file only the owner can read, in the same folder as <paramref name="path"/> (so the final move is a rename).</summary>
    internal static string TempBeside(string path)
    {
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        new FileStream(temp, options).Dispose();
        return temp;
    }

    private static void FlushToDisk(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Flush(flushToDisk: true);
    }

    private static void CopyPrivate(string from, string to, bool overwrite)
    {
        if (!overwrite && File.Exists(to))
        {
            throw new BackupException($"{to} already exists.");
        }

        Hosting.DataFolder.WritePrivate(to, File.ReadAllText(from));
    }
}
