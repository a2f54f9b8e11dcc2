using System.Diagnostics;
using System.Text;
using MySql.Data.MySqlClient;

namespace Coffer.Server.Data;

/// <summary>
/// <c>coffer-server backup</c> and <c>restore</c> when <c>Coffer:Database</c> names MySQL or MariaDB: the server's own
/// client tools, <c>mariadb-dump</c> and <c>mariadb</c> (or <c>mysqldump</c> and <c>mysql</c> where those are what the
/// machine has), run with the configured connection. The dump is one plain SQL file taken with
/// <c>--single-transaction</c> (one consistent InnoDB snapshot, no table locks: the nodes keep writing), one
/// <c>INSERT</c> per row (<c>--skip-extended-insert</c>, so verifying counts rows line by line), binary columns as hex.
/// <para>
/// The password never appears on a command line (where <c>ps</c> shows it to every local user) nor in the tool's environment
/// (Coffer's own <c>Coffer__…</c> variables are removed from it): the connection settings go into an option file (<c>--defaults-extra-file</c>, mode 0600 in a private 0700 temporary
/// folder, deleted when the tool exits). <c>MYSQL_PWD</c> is not used: MySQL's manual calls it insecure and deprecates
/// it (https://dev.mysql.com/doc/refman/8.0/en/password-security-user.html), and an option file is what both MySQL and
/// MariaDB document as the safe way (https://mariadb.com/kb/en/configuring-mariadb-with-option-files/).
/// </para>
/// <para>
/// MySQL cannot roll back <c>CREATE TABLE</c>, so a restore is not one transaction as on PostgreSQL: it goes only into
/// an empty database, and when loading or the check after it fails, every table it made is dropped again, leaving the
/// database as empty as it was. After loading, each table's row count and the migration history are compared with
/// the file's.
/// </para>
/// </summary>
public static class MySqlBackup
{
    private const string DumpCompleted = "-- Dump completed";

    /// <summary>Dumps the database into <paramref name="file"/> and verifies the file.</summary>
    public static Backup.Report Dump(ServerOptions options, string file)
    {
        ArgumentNullException.ThrowIfNull(options);
        var connection = Connection(options);
        using (var db = Open(connection))
        using (var history = new MySqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = @name", db))
        {
            history.Parameters.AddWithValue("@name", Backup.HistoryTable);
            if (Convert.ToInt64(history.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                throw new Backup.BackupException("The MySQL database named by Coffer:Database holds no Coffer database (no migration history). Is Coffer__Database set as for the server?");
            }
        }

        Run(FindTool("mariadb-dump", "mysqldump"), connection,
        [
            "--single-transaction", "--skip-lock-tables", "--no-tablespaces", "--skip-extended-insert", "--no-autocommit",
            "--hex-blob", "--default-character-set=utf8mb4", "--result-file=" + file, connection.Database,
        ]);
        return Verify(file, Backup.KnownMigrations(options));
    }

    /// <summary>
    /// Reads a dump without a database: it must be a complete <c>mariadb-dump</c>/<c>mysqldump</c> file (its header, and
    /// the completion line the tool writes last), hold Coffer's migration history with exactly this build's
    /// migrations; every table's rows are counted.
    /// </summary>
    public static Backup.Report Verify(string file, IReadOnlyList<string> knownMigrations)
    {
        var tables = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var migrations = new List<string>();
        var header = false;
        var completed = false;
        var lineNumber = 0;
        try
        {
            using var reader = new StreamReader(file, Encoding.UTF8, detectEncodingFromByteOrderMarks: false);
            while (reader.ReadLine() is { } line)
            {
                lineNumber++;
                if (lineNumber <= 5 && (line.StartsWith("-- MariaDB dump", StringComparison.Ordinal) || line.StartsWith("-- MySQL dump", StringComparison.Ordinal)))
                {
                    header = true;
                }
                else if (line.StartsWith("CREATE TABLE `", StringComparison.Ordinal))
                {
                    tables.TryAdd(TableName(line, "CREATE TABLE `".Length), 0);
                }
                else if (line.StartsWith("INSERT INTO `", StringComparison.Ordinal))
                {
                    var table = TableName(line, "INSERT INTO `".Length);
                    tables[table] = tables.GetValueOrDefault(table) + 1;
                    if (table == Backup.HistoryTable)
                    {
                        // INSERT INTO `__EFMigrationsHistory` VALUES ('20261209000000_Initial','10.0.12');
                        var start = line.IndexOf("('", StringComparison.Ordinal) + 2;
                        migrations.Add(line[start..line.IndexOf('\'', start)]);
                    }
                }
                else if (line.StartsWith(DumpCompleted, StringComparison.Ordinal))
                {
                    completed = true;
                }
            }
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or DecoderFallbackException)
        {
            throw new Backup.BackupException($"{file} is not a readable backup (mariadb-dump SQL): line {lineNumber} is not a statement it writes.");
        }

        if (!header)
        {
            throw new Backup.BackupException($"{file} is not a readable backup (mariadb-dump SQL): it has no dump header.");
        }

        if (!completed)
        {
            throw new Backup.BackupException($"{file} is not a readable backup (mariadb-dump SQL): it ends before the dump's completion line (cut short).");
        }

        if (!tables.ContainsKey(Backup.HistoryTable))
        {
            throw new Backup.BackupException($"{file} is a MySQL dump but not Coffer's (no migration history).");
        }

        Backup.CheckMigrations(file, migrations, knownMigrations);
        return new Backup.Report("ok (a complete mariadb-dump file)", migrations, [.. tables.Select(t => (t.Key, t.Value))]);
    }

    /// <summary>Refuses a database that already has tables: a restore never merges into, or replaces, live data.</summary>
    public static void EnsureEmpty(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var db = Open(Connection(options));
        if (Tables(db).Count > 0)
        {
            throw new Backup.BackupException("The MySQL database named by Coffer:Database already holds tables. Restore only into an empty database (CREATE DATABASE … CHARACTER SET utf8mb4 COLLATE utf8mb4_bin, then point Coffer__Database at it).");
        }
    }

    /// <summary>
    /// Loads the dump into the (empty) database and checks that every table holds the rows <paramref name="expected"/>
    /// counted in the file; when anything fails, drops every table again.
    /// </summary>
    public static void Load(ServerOptions options, string file, Backup.Report expected)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(expected);
        var connection = Connection(options);
        try
        {
            // --binary-mode: the dump's escaped strings go to the server as they are; without --force the client
            // stops at the first error with a non-zero exit code.
            Run(FindTool("mariadb", "mysql"), connection, ["--batch", "--binary-mode", "--default-character-set=utf8mb4", "--database=" + connection.Database], input: file);
            using var db = Open(connection);
            foreach (var (table, rows) in expected.Tables)
            {
                using var count = new MySqlCommand($"SELECT count(*) FROM `{table.Replace("`", "``", StringComparison.Ordinal)}`", db);
                var found = Convert.ToInt64(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
                if (found != rows)
                {
                    throw new Backup.BackupException($"After loading {file}, table {table} holds {found} rows; the file has {rows}.");
                }
            }
        }
        catch
        {
            Empty(connection);
            throw;
        }
    }

    /// <summary>Drops every table of the database (after a failed restore into it, which was empty before).</summary>
    private static void Empty(MySqlConnectionStringBuilder connection)
    {
        try
        {
            using var db = Open(connection);
            var tables = Tables(db);
            if (tables.Count == 0)
            {
                return;
            }

            using var drop = new MySqlCommand("SET FOREIGN_KEY_CHECKS = 0; DROP TABLE IF EXISTS " + string.Join(", ", tables.Select(t => $"`{t.Replace("`", "``", StringComparison.Ordinal)}`")) + ";", db);
            drop.ExecuteNonQuery();
        }
        catch (Exception e) when (e is MySqlException or Backup.BackupException)
        {
            Console.Error.WriteLine($"Warning: the failed restore's tables could not be dropped ({e.Message}); empty the database before the next attempt.");
        }
    }

    private static List<string> Tables(MySqlConnection db)
    {
        using var list = new MySqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()", db);
        using var reader = list.ExecuteReader();
        var tables = new List<string>();
        while (reader.Read())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    private static string TableName(string line, int start) => line[start..line.IndexOf('`', start)].Replace("``", "`", StringComparison.Ordinal);

    private static MySqlConnectionStringBuilder Connection(ServerOptions options) =>
        new(MySqlConnectionString.TryParse(options.Database!, out _) ?? throw new Backup.BackupException("Coffer:Database is not a valid MySQL connection string or URL."));

    private static MySqlConnection Open(MySqlConnectionStringBuilder connection)
    {
        var db = new MySqlConnection(new MySqlConnectionStringBuilder(connection.ConnectionString) { Pooling = false }.ConnectionString);
        try
        {
            db.Open();
            return db;
        }
        catch (Exception e) when (e is MySqlException or TimeoutException)
        {
            db.Dispose();
            throw new Backup.BackupException($"Cannot connect to the MySQL database named by Coffer:Database: {e.Message}");
        }
    }

    /// <summary>
    /// Runs a MySQL client tool with the connection in an option file, <paramref name="input"/> (a file) as its
    /// standard input when given; throws with its error text when it fails.
    /// </summary>
    private static void Run(string tool, MySqlConnectionStringBuilder connection, string[] args, string? input = null)
    {
        var folder = Directory.CreateTempSubdirectory("coffer-mysql-");
        try
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(folder.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var options = Path.Combine(folder.FullName, "client.cnf");
            Hosting.DataFolder.WritePrivate(options, OptionFile(connection));
            // --defaults-extra-file must come first (both tools read it only there).
            var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null, UseShellExecute = false };
            start.ArgumentList.Add("--defaults-extra-file=" + options);
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            // The tool needs none of Coffer's own settings, and Coffer__Database may hold the password.
            foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("Coffer", StringComparison.OrdinalIgnoreCase) || k == "MYSQL_PWD").ToList())
            {
                start.Environment.Remove(name);
            }
            using var process = new Process { StartInfo = start };
            var error = new StringBuilder();
            process.ErrorDataReceived += (_, e) => error.AppendLine(e.Data);
            process.OutputDataReceived += (_, _) => { };
            process.Start();
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            if (input is not null)
            {
                try
                {
                    using var source = File.OpenRead(input);
                    source.CopyTo(process.StandardInput.BaseStream);
                    process.StandardInput.Close();
                }
                catch (IOException)
                {
                    // The tool stopped reading (it failed): its exit code and message say why.
                }
            }

            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new Backup.BackupException($"{Path.GetFileName(tool)} failed (exit code {process.ExitCode}): {error.ToString().Trim()}");
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The <c>[client]</c> group both tools read: host, port (or socket), user, password and TLS. Values are quoted, with
    /// backslash escapes for what the option-file syntax would otherwise change. TLS options carry the <c>loose-</c>
    /// prefix because MariaDB's and MySQL's clients name them differently and each ignores the other's.
    /// </summary>
    internal static string OptionFile(MySqlConnectionStringBuilder connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var text = new StringBuilder("[client]\n");
        if (connection.ConnectionProtocol == MySqlConnectionProtocol.UnixSocket)
        {
            text.Append("socket=").Append(Quote(connection.Server)).Append('\n');
        }
        else
        {
            // Connector/NET accepts several hosts separated by commas; the tools take the first.
            text.Append("host=").Append(Quote(connection.Server.Split(',')[0].Trim())).Append('\n');
            text.Append("port=").Append(connection.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
            text.Append("protocol=TCP\n");
        }

        text.Append("user=").Append(Quote(connection.UserID ?? "")).Append('\n');
        text.Append("password=").Append(Quote(connection.Password ?? "")).Append('\n');
        // mariadb-dump has no connect-timeout (the mariadb client has): loose- lets each tool skip what it does not know.
        text.Append("loose-connect-timeout=10\n");
        text.Append(connection.SslMode switch
        {
            MySqlSslMode.Disabled => "loose-ssl-mode=DISABLED\nloose-skip-ssl\n",
            MySqlSslMode.Required => "loose-ssl-mode=REQUIRED\nloose-ssl\n",
            MySqlSslMode.VerifyCA => "loose-ssl-mode=VERIFY_CA\nloose-ssl\nloose-ssl-verify-server-cert\n",
            MySqlSslMode.VerifyFull => "loose-ssl-mode=VERIFY_IDENTITY\nloose-ssl\nloose-ssl-verify-server-cert\n",
            _ => "",
        });
        return text.ToString();
    }

    /// <summary>
    /// An option-file value in double quotes: the reader strips one pair of enclosing quotes and then turns
    /// <c>\\</c>, <c>\n</c>, <c>\r</c>, <c>\t</c> and <c>\"</c> back into their characters
    /// (https://dev.mysql.com/doc/refman/8.0/en/option-files.html).
    /// </summary>
    private static string Quote(string value) => "\"" + value
        .Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("\"", "\\\"", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal)
        .Replace("\r", "\\r", StringComparison.Ordinal)
        .Replace("\t", "\\t", StringComparison.Ordinal) + "\"";

    private static string FindTool(params string[] tools)
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return tools.SelectMany(tool => folders.Select(f => Path.Combine(f, tool))).FirstOrDefault(File.Exists)
            ?? throw new Backup.BackupException($"{string.Join(" or ", tools)} was not found on PATH. Install the MySQL/MariaDB client tools (Debian: mariadb-client).");
    }
}
