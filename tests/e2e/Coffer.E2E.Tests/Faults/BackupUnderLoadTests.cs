using Coffer.E2E.Tests.Harness;
using Xunit.Abstractions;

namespace Coffer.E2E.Tests.Faults;

/// <summary>
/// `coffer-server backup` taken while writers are busy, then `coffer-server restore` into a fresh data folder and a
/// node started on it. The backup is one consistent moment: everything acknowledged before it began is in it,
/// nothing in it was never written, and every item in it reads back exactly as the live node holds it.
/// </summary>
[Collection(FaultTests.Collection)]
public sealed class BackupUnderLoadTests(ITestOutputHelper output)
{
    private const int Writers = 4;

    [Fact]
    public async Task BackupTakenUnderWriteLoad_RestoresEveryWriteAcknowledgedBeforeIt_AndNothingElse()
    {
        using var scratch = new Scratch("coffer-backup-");
        var data = scratch.Folder("data");
        var backupFile = Path.Combine(scratch.Folder("backups"), "coffer-backup.db");
        var account = TestAccount.CreateUnique();
        WriteLoad load;
        Dictionary<Guid, string> acknowledgedBeforeBackup;
        ProcessResult backup;
        IReadOnlyList<Core.Client.Vault.VaultItem> live;
        await using (var server = await ServerProcess.StartAsync(scratch.Certificates, data))
        {
            using var writer = await ApiSession.RegisterAndLoginAsync(scratch.Certificates, server.BaseAddress, account);
            load = WriteLoad.Start(writer, Writers, "backup");
            await load.WaitForAcknowledgedAsync(100, TimeSpan.FromMinutes(2));
            acknowledgedBeforeBackup = load.Acknowledged.ToDictionary();
            load.Phase = "during backup";
            backup = await ServerProcess.RunCommandAsync(scratch.Certificates, data, null, "backup", "--output", backupFile);
            load.Phase = "after backup";
            await load.WaitForAsync(o => o.Phase == "after backup" && o.Acknowledged, 20, TimeSpan.FromMinutes(2), "were acknowledged after the backup");
            await load.StopAsync();
            live = await writer.SyncItemsAsync();
        }

        Assert.True(backup.Succeeded, $"coffer-server backup under load:\n{backup}");
        var restoredFolder = scratch.Folder("restored");
        var restore = await ServerProcess.RunCommandAsync(scratch.Certificates, restoredFolder, null, "restore", "--input", backupFile);
        Assert.True(restore.Succeeded, $"coffer-server restore:\n{restore}");
        IReadOnlyList<Core.Client.Vault.VaultItem> restored;
        await using (var node = await ServerProcess.StartAsync(scratch.Certificates, restoredFolder))
        {
            using var reader = await ApiSession.LoginAsync(scratch.Certificates, node.BaseAddress, account);
            restored = await reader.SyncItemsAsync();
        }

        var integrity = SqliteIntegrity.Check(restoredFolder);
        var restoredById = restored.ToDictionary(i => i.Id!.Value);
        var liveById = live.ToDictionary(i => i.Id!.Value);
        var missing = acknowledgedBeforeBackup.Where(a => !restoredById.ContainsKey(a.Key)).Select(a => a.Value).ToList();
        var duringBackup = load.Outcomes.Count(o => o.Phase == "during backup" && o.Acknowledged);
        new FaultFigures(
            "Backup under write load, restored into a fresh folder", load.Attempted, acknowledgedBeforeBackup.Count,
            acknowledgedBeforeBackup.Count - missing.Count, restored.Count(i => !acknowledgedBeforeBackup.ContainsKey(i.Id!.Value)),
            $"{Writers} writers; 'acknowledged' counts writes acknowledged before the backup began, 'unacknowledged but found' the restored items written after that; {duringBackup} more were acknowledged while the backup ran, " +
            $"{load.Acknowledged.Count} in all; restored {restored.Count} of {live.Count} live items; outcomes {load.Summary()}; integrity_check of the restored file '{integrity}'")
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
