using Coffer.E2E.Tests.Harness;
using Xunit.Abstractions;

namespace Coffer.E2E.Tests.Faults;

/// <summary>
/// A SQLite node killed with SIGKILL in the middle of a write load: no shutdown code runs, so only what SQLite
/// had committed to its write-ahead log survives. Every write the server acknowledged must be there afterwards.
/// </summary>
[Collection(FaultTests.Collection)]
public sealed class KillNodeTests(ITestOutputHelper output)
{
    private const int Writers = 8;
    private const int AcknowledgedBeforeKill = 150;

    [Fact]
    public async Task KillMinus9_UnderWriteLoad_KeepsEveryAcknowledgedWrite_AndAnIntactDatabase()
    {
        using var scratch = new Scratch("coffer-kill-");
        var data = scratch.Folder("data");
        var account = TestAccount.CreateUnique();
        var server = await ServerProcess.StartAsync(scratch.Certificates, data);
        WriteLoad load;
        int? exitCode;
        try
        {
            using var writer = await ApiSession.RegisterAndLoginAsync(scratch.Certificates, server.BaseAddress, account);
            load = WriteLoad.Start(writer, Writers, "kill");
            await load.WaitForAcknowledgedAsync(AcknowledgedBeforeKill, TimeSpan.FromMinutes(3));
            await server.KillAsync();
            exitCode = server.ExitCode;
            load.Phase = "after kill";
            await load.StopAsync();
        }
        finally
        {
            await server.DisposeAsync();
        }

        // Checked on the file exactly as the kill left it (with its write-ahead log), before anything reopens it.
        var integrityAfterKill = SqliteIntegrity.Check(data);
        IReadOnlyList<Coffer.Client.Vault.VaultItem> items;
        await using (var restarted = await ServerProcess.StartAsync(scratch.Certificates, data))
        {
            using var reader = await ApiSession.LoginAsync(scratch.Certificates, restarted.BaseAddress, account);
            items = await reader.SyncItemsAsync();
        }

        var integrityAfterRestart = SqliteIntegrity.Check(data);
        var foundIds = items.Select(i => i.Id!.Value).ToHashSet();
        var missing = load.Acknowledged.Where(a => !foundIds.Contains(a.Key)).Select(a => a.Value).ToList();
        var unacknowledgedFound = items.Count(i => !load.Acknowledged.ContainsKey(i.Id!.Value));
        var attemptedNames = load.AttemptedNames.ToHashSet();
        new FaultFigures(
            "SQLite node, kill -9 under write load", load.Attempted, load.Acknowledged.Count,
            load.Acknowledged.Count - missing.Count, unacknowledgedFound,
            $"{Writers} writers; outcomes {load.Summary()}; exit code {exitCode}; integrity_check after kill '{integrityAfterKill}', after restart '{integrityAfterRestart}'")
            .Report(output);

        Assert.Equal(137, exitCode); // 128 + SIGKILL: the process really was killed, not shut down
        Assert.Empty(missing);
        Assert.All(items, i => Assert.Contains(i.Name, attemptedNames));
        Assert.Equal("ok", integrityAfterKill);
        Assert.Equal("ok", integrityAfterRestart);
    }
}
