using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

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
        if (TestDatabase.IsPostgres)
        {
            // PostgreSQL nodes take the key from Coffer__JwtSigningKey (the test keeps it in the folder): the operator
            // starts the restored node with the same value.
            Directory.CreateDirectory(restored);
            File.Copy(Path.Combine(factory.DataFolder, "jwt-signing.key"), Path.Combine(restored, "jwt-signing.key"));
        }

        var restore = await ServerCommand.RunAsync(restored, ["restore", "--input", file, .. TestDatabase.IsPostgres ? [] : new[] { "--key", key }]);
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
        if (TestDatabase.IsPostgres)
        {
            Directory.CreateDirectory(restored);
            File.Copy(Path.Combine(factory.DataFolder, "jwt-signing.key"), Path.Combine(restored, "jwt-signing.key"));
        }

        var restore = await ServerCommand.RunAsync(restored, ["restore", "--input", file, .. TestDatabase.IsPostgres ? [] : new[] { "--key", key }]);
        Assert.True(restore.ExitCode == 0, restore.Output + restore.Error);
        await using var server = CofferFactory.OnExistingFolder(restored);
        var sameAccount = await TestAccount.LoginAsync(server, account.Credentials);
        var url = await sameAccount.DownloadUrlAsync(cipherId, attachmentId);

        Assert.Equal(bytes, await server.DownloadBytesAsync(url));
        if (!TestDatabase.IsPostgres)
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
        Assert.True(TestDatabase.IsPostgres || File.GetUnixFileMode(key) == (UnixFileMode.UserRead | UnixFileMode.UserWrite));
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
        Assert.Contains(TestDatabase.IsPostgres ? "Coffer__JwtSigningKey" : "is not in the backup", backup.Output + backup.Error, StringComparison.Ordinal);
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
    private static string[] KeyOutput(string key) => TestDatabase.IsPostgres ? [] : ["--key-output", key];

    /// <summary>An empty data folder to restore into (on PostgreSQL, also an empty database named after it).</summary>
    private string Target() => Directory.CreateDirectory(Path.Combine(scratch, "target")).FullName;
}
