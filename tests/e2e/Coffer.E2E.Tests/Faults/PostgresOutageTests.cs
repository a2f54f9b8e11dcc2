using System.Security.Cryptography;
using Coffer.E2E.Tests.Harness;
using Xunit.Abstractions;

namespace Coffer.E2E.Tests.Faults;

/// <summary>
/// PostgreSQL stopped the way a crash stops it (`pg_ctl stop -m immediate`) under a write load on a running node,
/// then started again. The node must answer 503 at once while the database is gone (not hang, not 500), report
/// itself unready on /health while /alive stays up, and serve writes again when PostgreSQL is back, without
/// being restarted. The cluster is this test's own, so stopping it disturbs no other test.
/// </summary>
[Collection(FaultTests.Collection)]
public sealed class PostgresOutageTests(ITestOutputHelper output)
{
    private const int Writers = 4;

    [Fact]
    public async Task PostgresStoppedUnderLoad_Answers503_ThenRecoversWithoutANodeRestart_KeepingEveryAcknowledgedWrite()
    {
        using var scratch = new Scratch("coffer-pg-outage-");
        await using var postgres = await PostgresCluster.StartAsync();
        await postgres.CreateDatabaseAsync("coffer");
        var environment = new Dictionary<string, string?>
        {
            ["Coffer__Database"] = postgres.ConnectionString("coffer"),
            ["Coffer__JwtSigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        };
        await using var server = await ServerProcess.StartAsync(scratch.Certificates, scratch.Folder("data"), environment);
        using var probe = new HttpClient(scratch.Certificates.CreateTrustingHandler()) { Timeout = WriteLoad.RequestTimeout };
        var account = TestAccount.CreateUnique();
        using var writer = await ApiSession.RegisterAndLoginAsync(scratch.Certificates, server.BaseAddress, account);

        await using var load = WriteLoad.Start(writer, Writers, "pg");
        await load.WaitForAcknowledgedAsync(50, TimeSpan.FromMinutes(2));
        await postgres.StopImmediatelyAsync();
        load.Phase = "outage";
        await load.WaitForAsync(o => o.Phase == "outage", 20, TimeSpan.FromMinutes(2), "ran while PostgreSQL was down");
        var healthDuringOutage = await StatusAsync(probe, server, "/health");
        var aliveDuringOutage = await StatusAsync(probe, server, "/alive");
        // pg_ctl start returns only after PostgreSQL accepts connections, so writes started meanwhile may succeed.
        load.Phase = "restarting";
        await postgres.StartAgainAsync();
        load.Phase = "recovery";
        await load.WaitForAsync(o => o.Phase == "recovery" && o.Acknowledged, 50, TimeSpan.FromMinutes(2), "were acknowledged after PostgreSQL came back");
        await load.StopAsync();
        var healthAfterRecovery = await StatusAsync(probe, server, "/health");
        var exitCode = server.ExitCode;

        using var reader = await ApiSession.LoginAsync(scratch.Certificates, server.BaseAddress, account);
        var items = await reader.SyncItemsAsync();
        var foundIds = items.Select(i => i.Id!.Value).ToHashSet();
        var missing = load.Acknowledged.Where(a => !foundIds.Contains(a.Key)).Select(a => a.Value).ToList();
        var outage = load.Outcomes.Where(o => o.Phase == "outage").ToList();
        var slowest = outage.Max(o => o.Elapsed);
        new FaultFigures(
            "PostgreSQL stopped (immediate) and restarted under write load", load.Attempted, load.Acknowledged.Count,
            load.Acknowledged.Count - missing.Count, items.Count(i => !load.Acknowledged.ContainsKey(i.Id!.Value)),
            $"{Writers} writers; outcomes {load.Summary()}; slowest answer during the outage {slowest.TotalMilliseconds:0} ms; " +
            $"/health {healthDuringOutage} and /alive {aliveDuringOutage} during the outage, /health {healthAfterRecovery} after; node restarted: no")
            .Report(output);

        Assert.Null(exitCode); // the same process served before, during and after
        Assert.All(outage, o => Assert.Equal("503", o.Result));
        Assert.Equal(503, healthDuringOutage);
        Assert.Equal(200, aliveDuringOutage);
        Assert.Equal(200, healthAfterRecovery);
        Assert.Empty(missing);
        var attempted = load.AttemptedNames.ToHashSet();
        Assert.All(items, i => Assert.Contains(i.Name, attempted));
    }

    private static async Task<int> StatusAsync(HttpClient client, ServerProcess server, string path)
    {
        using var response = await client.GetAsync(new Uri(server.BaseAddress, path));
        return (int)response.StatusCode;
    }
}
