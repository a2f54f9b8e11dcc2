using System.Security.Cryptography;
using Coffer.E2E.Tests.Harness;
using Xunit.Abstractions;

namespace Coffer.E2E.Tests.Faults;

/// <summary>
/// `coffer-server backup` taken while writers are busy, then `coffer-server restore` into a fresh data folder (SQLite)
/// or an empty database (PostgreSQL) and a node started on it. The backup is one consistent moment: everything acknowledged before it began is in it,
/// nothing in it was never written, and every item in it reads back exactly as the live node holds it.
/// </summary>
[Collection(FaultTests.Collection)]
public sealed class BackupUnderLoadTests(ITestOutputHelper output)
{
    private const int Writers = 4;

    [Theory]
    [InlineData("SQLite")]
    [InlineData("PostgreSQL")]
    public async Task BackupTakenUnderWriteLoad_RestoresEveryWriteAcknowledgedBeforeIt_AndNothingElse(string provider)
    {
        var sqlite = provider == "SQLite";
        using var scratch = new Scratch("coffer-backup-");
        await using var sourceDatabase = sqlite ? null : await PostgresDatabase.CreateAsync("coffer_backup");
        await using var targetDatabase = sqlite ? null : await PostgresDatabase.CreateAsync("coffer_restore");
        var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        Dictionary<string, string?>? Database(PostgresDatabase? database) => database is null ? null : new()
        {
            ["Coffer__Database"] = database.ConnectionString,
            ["Coffer__JwtSigningKey"] = signingKey,
        };
        var data = scratch.Folder("data");
        var backupFile = Path.Combine(scratch.Folder("backups"), sqlite ? "coffer-backup.db" : "coffer-backup.dump");
        var account = TestAccount.CreateUnique();
        WriteLoad load;
        Dictionary<Guid, string> acknowledgedBeforeBackup;
        ProcessResult backup;
        IReadOnlyList<Coffer.Client.Vault.VaultItem> live;
        await using (var server = await ServerProcess.StartAsync(scratch.Certificates, data, Database(sourceDatabase)))
        {
            using var writer = await ApiSession.RegisterAndLoginAsync(scratch.Certificates, server.BaseAddress, account);
            load = WriteLoad.Start(writer, Writers, "backup");
            await load.WaitForAcknowledgedAsync(100, TimeSpan.FromMinutes(2));
            acknowledgedBeforeBackup = load.Acknowledged.ToDictionary();
            load.Phase = "during backup";
            backup = await ServerProcess.RunCommandAsync(scratch.Certificates, data, Database(sourceDatabase), "backup", "--output", backupFile);
            load.Phase = "after backup";
            await load.WaitForAsync(o => o.Phase == "after backup" && o.Acknowledged, 20, TimeSpan.FromMinutes(2), "were acknowledged after the backup");
            await load.StopAsync();
            live = await writer.SyncItemsAsync();
        }

        Assert.True(backup.Succeeded, $"coffer-server backup under load:\n{backup}");
        var restoredFolder = scratch.Folder("restored");
        var restore = await ServerProcess.RunCommandAsync(scratch.Certificates, restoredFolder, Database(targetDatabase), "restore", "--input", backupFile);
        Assert.True(restore.Succeeded, $"coffer-server restore:\n{restore}");
        IReadOnlyList<Coffer.Client.Vault.VaultItem> restored;
        await using (var node = await ServerProcess.StartAsync(scratch.Certificates, restoredFolder, Database(targetDatabase)))
        {
            using var reader = await ApiSession.LoginAsync(scratch.Certificates, node.BaseAddress, account);
            restored = await reader.SyncItemsAsync();
        }

        var integrity = sqlite ? SqliteIntegrity.Check(restoredFolder) : "ok";
        var restoredById = restored.ToDictionary(i => i.Id!.Value);
        var liveById = live.ToDictionary(i => i.Id!.Value);
        var missing = acknowledgedBeforeBackup.Where(a => !restoredById.ContainsKey(a.Key)).Select(a => a.Value).ToList();
        var duringBackup = load.Outcomes.Count(o => o.Phase == "during backup" && o.Acknowledged);
        new FaultFigures(
            $"Backup under write load ({provider}), restored into a fresh {(sqlite ? "folder" : "database")}", load.Attempted, acknowledgedBeforeBackup.Count,
            acknowledgedBeforeBackup.Count - missing.Count, restored.Count(i => !acknowledgedBeforeBackup.ContainsKey(i.Id!.Value)),
            $"{Writers} writers; 'acknowledged' counts writes acknowledged before the backup began, 'unacknowledged but found' the restored items written after that; {duringBackup} more were acknowledged while the backup ran, " +
            $"{load.Acknowledged.Count} in all; restored {restored.Count} of {live.Count} live items; outcomes {load.Summary()}; integrity_check of the restored file '{(sqlite ? integrity : "n/a")}'")
            .Report(output);

        Assert.Empty(missing);
        Assert.All(restored, item =>
        {
            // Restored items are a subset of the live vault, each exactly as the live node returns it.
            Assert.True(liveById.TryGetValue(item.Id!.Value, out var original), $"{item.Name} is in the backup but not on the live node");
            Assert.Equal(original.Name, item.Name);
            Assert.Equal(original.Login?.Password, item.Login?.Password);
            Assert.Equal(original.RevisionDate, item.RevisionDate);
        });
        Assert.All(load.Acknowledged, a => Assert.Contains(a.Key, liveById.Keys));
        Assert.Equal("ok", integrity);
    }
}
