using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using MySql.Data.MySqlClient;

namespace Coffer.Server.Tests;

/// <summary>
/// <c>coffer-server backup</c> and <c>restore</c>, run as child processes from the built DLL against the data
/// folder of a running test server, as an operator would on the host.
/// </summary>
public sealed class BackupTests(CofferFactory factory) : IClassFixture<CofferFactory>, IDisposable
{
    private readonly string scratch = CofferFactory.CreateTempFolder();

    public void Dispose() => CofferFactory.DeleteFolder(scratch);

    [Fact]
    public async Task Backup_UnderConcurrentWrites_RestoresEveryItemAcknowledgedBeforeIt_AndTheAuditChain()
    {
        var account = await TestAccount.CreateAsync(factory);
        var acknowledged = new ConcurrentQueue<string>();
        for (var i = 0; i < 5; i++)
        {
            acknowledged.Enqueue((await account.CreateCipherAsync()).RequireString("id"));
        }

        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                acknowledged.Enqueue((await account.CreateCipherAsync()).RequireString("id"));
            }
        })).ToList();
        while (acknowledged.Count < 20)
        {
            await Task.Delay(10);
        }

        var beforeBackup = acknowledged.ToHashSet();
        var file = Path.Combine(scratch, "coffer-backup.db");
        var key = Path.Combine(Directory.CreateDirectory(Path.Combine(scratch, "keys")).FullName, "coffer.key");
        var backup = await ServerCommand.RunAsync(factory.DataFolder, ["backup", "--output", file, .. KeyOutput(key)]);
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        Assert.True(backup.ExitCode == 0, backup.Output + backup.Error);
        Assert.Contains("integrity ok", backup.Output, StringComparison.Ordinal);
        Assert.Matches(@"ciphers\t\d+", backup.Output);
        var restored = Path.Combine(scratch, "restored");
        if (TestDatabase.IsShared)
        {
            // PostgreSQL nodes take the key from Coffer__JwtSigningKey (the test keeps it in the folder): the operator
            // starts the restored node with the same value.
            Directory.CreateDirectory(restored);
            File.Copy(Path.Combine(factory.DataFolder, "jwt-signing.key"), Path.Combine(restored, "jwt-signing.key"));
        }

        var restore = await ServerCommand.RunAsync(restored, ["restore", "--input", file, .. TestDatabase.IsShared ? [] : new[] { "--key", key }]);
        Assert.True(restore.ExitCode == 0, restore.Output + restore.Error);

        await using var server = CofferFactory.OnExistingFolder(restored);
        using var client = server.CreateClient();
        // The signing key came back too: the session issued by the original server still works.
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", account.AccessToken);
        using var sync = await client.GetAsync("/api/sync?excludeDomains=true");
        var ids = (await sync.ExpectObjectAsync()).RequireArray("ciphers").Select(c => c.RequireString("id")).ToHashSet();
        Assert.Superset(beforeBackup, ids);
        Assert.Subset(acknowledged.ToHashSet(), ids);
        var audit = await ServerCommand.RunAsync(restored, "audit", "verify");
        Assert.True(audit.ExitCode == 0, audit.Output + audit.Error);
    }

    [Fact]
    public async Task Backup_CarriesTheAttachmentFiles_AndRestoreBringsThemBackByteForByte()
    {
        var account = await TestAccount.CreateAsync(factory);
        var (cipherId, attachmentId, bytes) = await account.AddAttachmentAsync(plaintextLength: 3 * 1024 * 1024);
        var file = Path.Combine(scratch, "files-backup.db");
        var key = Path.Combine(Directory.CreateDirectory(Path.Combine(scratch, "files-keys")).FullName, "coffer.key");
        var backup = await ServerCommand.RunAsync(factory.DataFolder, ["backup", "--output", file, .. KeyOutput(key)]);
        Assert.True(backup.ExitCode == 0, backup.Output + backup.Error);

        var restored = Path.Combine(scratch, "files-restored");
        if (TestDatabase.IsShared)
        {
            Directory.CreateDirectory(restored);
            File.Copy(Path.Combine(factory.DataFolder, "jwt-signing.key"), Path.Combine(restored, "jwt-signing.key"));
        }

        var restore = await ServerCommand.RunAsync(restored, ["restore", "--input", file, .. TestDatabase.IsShared ? [] : new[] { "--key", key }]);
        Assert.True(restore.ExitCode == 0, restore.Output + restore.Error);
        await using var server = CofferFactory.OnExistingFolder(restored);
        var sameAccount = await TestAccount.LoginAsync(server, account.Credentials);
        var url = await sameAccount.DownloadUrlAsync(cipherId, attachmentId);

        Assert.Equal(bytes, await server.DownloadBytesAsync(url));
        if (!TestDatabase.IsShared)
        {
            // The files are back under the data folder, and the restored database holds no copy of them.
            Assert.True(File.Exists(Path.Combine(restored, "files", "attachments", cipherId, attachmentId)));
            using var db = new SqliteConnection($"Data Source={Path.Combine(restored, "coffer.db")};Pooling=False");
            db.Open();
            using var count = db.CreateCommand();
            count.CommandText = "SELECT count(*) FROM blob_chunks";
            Assert.Equal(0L, (long)count.ExecuteScalar()!);
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Backup_IsReadableByTheOwnerOnly()
    {
        await TestAccount.CreateAsync(factory);
        var file = Path.Combine(scratch, "private.db");
        var key = Path.Combine(scratch, "private.key");

        var backup = await ServerCommand.RunAsync(factory.DataFolder, ["backup", "--output", file, .. KeyOutput(key)]);

        Assert.True(backup.ExitCode == 0, backup.Output + backup.Error);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.True(TestDatabase.IsShared || File.GetUnixFileMode(key) == (UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.Empty(Directory.GetFiles(scratch, "*.tmp"));
    }

    [Fact]
    public async Task Backup_OverAnExistingFile_IsRefusedWithoutForce_AndLeavesItUntouched()
    {
        await TestAccount.CreateAsync(factory);
        var file = Path.Combine(scratch, "existing.db");
        await File.WriteAllTextAsync(file, "keep me");

        var refused = await ServerCommand.RunAsync(factory.DataFolder, "backup", "--output", file);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("already exists", refused.Error, StringComparison.Ordinal);
        Assert.Equal("keep me", await File.ReadAllTextAsync(file));
        var forced = await ServerCommand.RunAsync(factory.DataFolder, "backup", "--output", file, "--force");
        Assert.True(forced.ExitCode == 0, forced.Output + forced.Error);
        Assert.Contains("integrity ok", forced.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backup_OfAFolderWithoutADatabase_FailsAndCreatesNothing()
    {
        var empty = Directory.CreateDirectory(Path.Combine(scratch, "empty")).FullName;
        var file = Path.Combine(scratch, "nothing.db");

        var result = await ServerCommand.RunAsync(empty, "backup", "--output", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no Coffer database", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
        Assert.False(File.Exists(Path.Combine(empty, "coffer.db")), "backup must not create a database");
    }

    [Fact]
    public async Task Backup_NeverHoldsTheSigningKey_AndSaysWhereItIs()
    {
        await TestAccount.CreateAsync(factory);
        var folder = Directory.CreateDirectory(Path.Combine(scratch, "alone")).FullName;
        var file = Path.Combine(folder, "b.db");

        var backup = await ServerCommand.RunAsync(factory.DataFolder, "backup", "--output", file);

        Assert.True(backup.ExitCode == 0, backup.Output + backup.Error);
        Assert.Equal([file], Directory.GetFiles(folder));
        var key = Convert.FromBase64String(await File.ReadAllTextAsync(Path.Combine(factory.DataFolder, "jwt-signing.key")));
        Assert.True((await File.ReadAllBytesAsync(file)).AsSpan().IndexOf(key) < 0, "the backup contains the signing key");
        Assert.Contains(TestDatabase.IsShared ? "Coffer__JwtSigningKey" : "is not in the backup", backup.Output + backup.Error, StringComparison.Ordinal);
    }

    [SqliteFact]
    [Trait("Provider", "SqliteOnly")]
    public async Task Restore_WithAKeyFileThatIsNotAKey_IsRefusedBeforeWritingAnything()
    {
        await TestAccount.CreateAsync(factory);
        var file = Path.Combine(scratch, "k.db");
        var backup = await ServerCommand.RunAsync(factory.DataFolder, "backup", "--output", file);
        Assert.True(backup.ExitCode == 0, backup.Output + backup.Error);
        var notAKey = Path.Combine(scratch, "not-a-key");
        await File.WriteAllTextAsync(notAKey, "short");
        var target = Target();

        var result = await ServerCommand.RunAsync(target, "restore", "--input", file, "--key", notAKey);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("is not a signing key file", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(target, "coffer.db")));
    }

    [Fact]
    public async Task Backup_WithoutOutput_IsAUsageError()
    {
        var result = await ServerCommand.RunAsync(factory.DataFolder, "backup");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--output", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restore_OfAMissingFile_Fails()
    {
        var result = await ServerCommand.RunAsync(Target(), "restore", "--input", Path.Combine(scratch, "absent.db"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("There is no backup file", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restore_OfAFileThatIsNotADatabase_FailsAndLeavesTheFolderEmpty()
    {
        var file = Path.Combine(scratch, "not-a-database.db");
        await File.WriteAllTextAsync(file, string.Concat(Enumerable.Repeat("this is not SQLite ", 300)));
        var target = Target();

        var result = await ServerCommand.RunAsync(target, "restore", "--input", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("is not a readable backup", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(target, "coffer.db")));
    }

    [SqliteFact]
    [Trait("Provider", "SqliteOnly")]
    public async Task Restore_OfAnotherApplicationsSqliteFile_Fails()
    {
        var file = Path.Combine(scratch, "foreign.db");
        await using (var connection = new SqliteConnection($"Data Source={file};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE notes (body TEXT);";
            await command.ExecuteNonQueryAsync();
        }

        var result = await ServerCommand.RunAsync(Target(), "restore", "--input", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("not Coffer's", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restore_IntoAFolderThatHasADatabase_IsRefused_AndTheDatabaseStays()
    {
        var account = await TestAccount.CreateAsync(factory);
        var file = Path.Combine(scratch, "b.db");
        var backup = await ServerCommand.RunAsync(factory.DataFolder, "backup", "--output", file);
        Assert.True(backup.ExitCode == 0, backup.Output + backup.Error);

        var result = await ServerCommand.RunAsync(factory.DataFolder, "restore", "--input", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("already holds", result.Error, StringComparison.Ordinal);
        using var revision = await account.Client.GetAsync("/api/accounts/revision-date");
        await revision.ExpectStatusAsync(HttpStatusCode.OK);
    }

    /// <summary>On SQLite the generated key is saved apart with --key-output; PostgreSQL nodes take theirs from configuration.</summary>
    private static string[] KeyOutput(string key) => TestDatabase.IsShared ? [] : ["--key-output", key];

    /// <summary>An empty data folder to restore into (on PostgreSQL, also an empty database named after it).</summary>
    private string Target() => Directory.CreateDirectory(Path.Combine(scratch, "target")).FullName;
}

/// <summary>
/// <c>backup</c> and <c>restore</c> on MySQL/MariaDB (Data/MySqlBackup.cs) where they differ from the other providers:
/// how the password reaches <c>mariadb-dump</c> and <c>mariadb</c>, the errors an operator meets, and a failed or cut
/// restore leaving the database empty. The common facts run on MySQL in <see cref="BackupTests"/>.
/// </summary>
public sealed class MySqlBackupTests(CofferFactory factory) : IClassFixture<CofferFactory>, IDisposable
{
    // Characters the option-file syntax and connection strings treat specially: quotes, backslash, #, ;, =, space.
    private const string TrickyPassword = "Tr\"ck'y\\pa#ss;w=rd $x `y`";

    private readonly string scratch = CofferFactory.CreateTempFolder();
    private readonly List<string> users = [];

    public void Dispose()
    {
        foreach (var user in users)
        {
            Admin($"DROP USER IF EXISTS '{user}'@'%'");
        }

        CofferFactory.DeleteFolder(scratch);
    }

    [MySqlFact]
    [Trait("Provider", "MySqlOnly")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task BackupAndRestore_GiveThePasswordInAPrivateOptionFile_NeverOnTheCommandLineOrInTheEnvironment()
    {
        var account = await TestAccount.CreateAsync(factory);
        var restored = Directory.CreateDirectory(Path.Combine(scratch, "restored")).FullName;
        TestDatabase.SettingsFor(restored);
        var user = User(TrickyPassword, DatabaseOf(factory.DataFolder), DatabaseOf(restored));
        var bin = Spies();
        var file = Path.Combine(scratch, "mysql.sql");

        var backup = await ServerCommand.RunAsync(factory.DataFolder, Environment(factory.DataFolder, user, TrickyPassword, bin), "backup", "--output", file);
        var restore = await ServerCommand.RunAsync(restored, Environment(restored, user, TrickyPassword, bin), "restore", "--input", file);

        Assert.True(backup.ExitCode == 0, backup.Output + backup.Error);
        Assert.True(restore.ExitCode == 0, restore.Output + restore.Error);
        Assert.Contains("row count matches", restore.Output, StringComparison.Ordinal);
        foreach (var tool in new[] { "mariadb-dump", "mariadb" })
        {
            var seen = await File.ReadAllTextAsync(Path.Combine(bin, tool + ".seen"));
            Assert.DoesNotContain("pa#ss", seen, StringComparison.Ordinal);
            Assert.Contains("mode 600", seen, StringComparison.Ordinal);
            Assert.Contains("folder 700", seen, StringComparison.Ordinal);
            var optionFile = seen.Split('\n').Single(l => l.StartsWith("file ", StringComparison.Ordinal))[5..];
            Assert.False(File.Exists(optionFile), $"{optionFile} is left behind");
        }

        Assert.DoesNotContain(TrickyPassword, backup.Output + backup.Error + restore.Output + restore.Error, StringComparison.Ordinal);
        await using var server = CofferFactory.OnExistingFolder(restored);
        var sameAccount = await TestAccount.LoginAsync(server, account.Credentials);
        using var sync = await sameAccount.Client.GetAsync("/api/sync?excludeDomains=true");
        await sync.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [MySqlFact]
    [Trait("Provider", "MySqlOnly")]
    public async Task Backup_WithAWrongPassword_FailsSayingAccessDenied_WithoutEchoingIt_AndWritesNothing()
    {
        var user = User("the-right-one", DatabaseOf(factory.DataFolder));
        var file = Path.Combine(scratch, "denied.sql");

        var result = await ServerCommand.RunAsync(factory.DataFolder, Environment(factory.DataFolder, user, "Wrong-pa55-XYZ", null), "backup", "--output", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Access denied", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Wrong-pa55-XYZ", result.Output + result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(scratch));
    }

    [MySqlFact]
    [Trait("Provider", "MySqlOnly")]
    public async Task Backup_OfAnUnreachableServer_FailsSayingItCannotConnect()
    {
        using var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var database = new MySqlConnectionStringBuilder(TestDatabase.ConnectionStringFor(factory.DataFolder)) { Port = (uint)port }.ConnectionString;

        var result = await ServerCommand.RunAsync(factory.DataFolder, new Dictionary<string, string> { ["Coffer__Database"] = database }, "backup", "--output", Path.Combine(scratch, "x.sql"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Cannot connect to the MySQL database", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(scratch));
    }

    [MySqlFact]
    [Trait("Provider", "MySqlOnly")]
    public async Task Backup_WithoutTheClientTools_SaysWhatToInstall()
    {
        await TestAccount.CreateAsync(factory);
        var empty = Directory.CreateDirectory(Path.Combine(scratch, "empty-bin")).FullName;

        var result = await ServerCommand.RunAsync(factory.DataFolder, new Dictionary<string, string> { ["PATH"] = empty }, "backup", "--output", Path.Combine(scratch, "x.sql"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("mariadb-dump or mysqldump was not found", result.Error, StringComparison.Ordinal);
        Assert.Contains("mariadb-client", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(scratch));
    }

    [MySqlFact]
    [Trait("Provider", "MySqlOnly")]
    public Task Restore_OfADumpCutShort_IsRefused_AndTheDatabaseStaysEmpty() =>
        RestoreEditedAsync("cut", lines => lines.Take(lines.Count * 2 / 3).ToList(), "cut short");

    [MySqlFact]
    [Trait("Provider", "MySqlOnly")]
    public Task Restore_WhoseLoadFailsHalfway_DropsEveryTableItMade() =>
        RestoreEditedAsync("broken", lines =>
        {
            // A statement the server refuses, after most tables were created and filled.
            lines.Insert(lines.FindLastIndex(l => l.StartsWith("INSERT INTO `", StringComparison.Ordinal)), "INSERT INTO `no_such_table` VALUES (1);");
            return lines;
        }, "no_such_table");

    [MySqlFact]
    [Trait("Provider", "MySqlOnly")]
    public Task Restore_OfADumpFromAnotherSchemaVersion_IsRefusedBeforeLoading() =>
        RestoreEditedAsync("old", lines =>
        {
            lines.Insert(lines.FindIndex(l => l.StartsWith("INSERT INTO `__EFMigrationsHistory`", StringComparison.Ordinal)), "INSERT INTO `__EFMigrationsHistory` VALUES ('29991231000000_FromTheFuture','10.0.0');");
            return lines;
        }, "29991231000000_FromTheFuture");

    /// <summary>
    /// Backs up, changes the dump's lines with <paramref name="edit"/>, restores it into a fresh database: the restore
    /// fails saying <paramref name="error"/>, and the database is left with no table.
    /// </summary>
    private async Task RestoreEditedAsync(string name, Func<List<string>, List<string>> edit, string error)
    {
        var file = await BackupAsync(name + ".sql");
        await File.WriteAllLinesAsync(file, edit([.. await File.ReadAllLinesAsync(file)]));
        var target = Directory.CreateDirectory(Path.Combine(scratch, name)).FullName;

        var result = await ServerCommand.RunAsync(target, "restore", "--input", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(error, result.Error, StringComparison.Ordinal);
        Assert.Equal(0, await TableCountAsync(target));
    }

    private async Task<string> BackupAsync(string name)
    {
        await TestAccount.CreateAsync(factory);
        var file = Path.Combine(scratch, name);
        var backup = await ServerCommand.RunAsync(factory.DataFolder, "backup", "--output", file);
        Assert.True(backup.ExitCode == 0, backup.Output + backup.Error);
        return file;
    }

    private static async Task<long> TableCountAsync(string folder)
    {
        TestDatabase.SettingsFor(folder);
        await using var db = TestDatabase.Open(folder);
        await using var count = db.CreateCommand();
        count.CommandText = "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE()";
        return Convert.ToInt64(await count.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string DatabaseOf(string folder) => new MySqlConnectionStringBuilder(TestDatabase.ConnectionStringFor(folder)).Database;

    /// <summary>A user of this test's own with <paramref name="password"/> and every privilege on <paramref name="databases"/>, dropped after the test.</summary>
    private string User(string password, params string[] databases)
    {
        var user = "coffer_bk_" + Guid.NewGuid().ToString("N")[..12];
        users.Add(user);
        Admin($"CREATE USER '{user}'@'%' IDENTIFIED BY '{password.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal)}'");
        foreach (var database in databases)
        {
            Admin($"GRANT ALL PRIVILEGES ON `{database}`.* TO '{user}'@'%'");
        }

        return user;
    }

    /// <summary>The server's settings for <paramref name="folder"/> as <paramref name="user"/>, with <paramref name="bin"/> first on PATH.</summary>
    private static Dictionary<string, string> Environment(string folder, string user, string password, string? bin)
    {
        var settings = new Dictionary<string, string>
        {
            ["Coffer__Database"] = new MySqlConnectionStringBuilder(TestDatabase.ConnectionStringFor(folder)) { UserID = user, Password = password }.ConnectionString,
        };
        if (bin is not null)
        {
            settings["PATH"] = bin + Path.PathSeparator + System.Environment.GetEnvironmentVariable("PATH");
        }

        return settings;
    }

    /// <summary>
    /// A folder with <c>mariadb-dump</c> and <c>mariadb</c> stand-ins that write down what the real tool would be given
    /// (arguments, environment, the option file's path and modes) into <c>TOOL.seen</c>, then run it.
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private string Spies()
    {
        var bin = Directory.CreateDirectory(Path.Combine(scratch, "bin")).FullName;
        foreach (var tool in new[] { "mariadb-dump", "mariadb" })
        {
            var real = new[] { "/usr/bin", "/usr/local/bin", "/bin" }.Select(f => Path.Combine(f, tool)).First(File.Exists);
            var script = Path.Combine(bin, tool);
            File.WriteAllText(script, $$"""
                #!/bin/sh
                options="${1#--defaults-extra-file=}"
                {
                  echo "args $*"
                  env
                  echo "file $options"
                  echo "mode $(stat -c %a "$options")"
                  echo "folder $(stat -c %a "$(dirname "$options")")"
                } > "{{script}}.seen"
                exec {{real}} "$@"
                """.ReplaceLineEndings("\n"));
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return bin;
    }

    private static void Admin(string sql)
    {
        using var admin = new MySqlConnection(TestDatabase.AdminConnectionString);
        admin.Open();
        using var command = new MySqlCommand(sql, admin);
        command.ExecuteNonQuery();
    }
}
