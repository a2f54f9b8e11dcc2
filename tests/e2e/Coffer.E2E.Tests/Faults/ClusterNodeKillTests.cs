using Coffer.E2E.Tests.Cluster;
using Coffer.E2E.Tests.Harness;
using Xunit.Abstractions;

namespace Coffer.E2E.Tests.Faults;

/// <summary>
/// One of three PostgreSQL-backed nodes killed with SIGKILL while writers go through nginx: the load carries on
/// through the other two, and every acknowledged write, whichever node took it, is read back by both survivors.
/// This class has its own cluster, since the node it kills stays dead.
/// </summary>
[Collection(FaultTests.Collection)]
public sealed class ClusterNodeKillTests(ClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    private const int Writers = 6;

    [Fact]
    public async Task KillMinus9_OfOneNodeBehindNginx_LoadContinuesOnTheOthers_AndEveryAcknowledgedWriteIsOnBoth()
    {
        var account = TestAccount.CreateUnique();
        using var writer = await ApiSession.RegisterAndLoginAsync(fixture.Certificates, fixture.Nginx.BaseAddress, account);

        await using var load = WriteLoad.Start(writer, Writers, "cluster-kill");
        await load.WaitForAcknowledgedAsync(100, TimeSpan.FromMinutes(3));
        await fixture.Node(2).KillAsync();
        load.Phase = "node 2 killed";
        await load.WaitForAsync(o => o.Phase == "node 2 killed" && o.Acknowledged, 100, TimeSpan.FromMinutes(3), "were acknowledged after node 2 died");
        await load.StopAsync();

        var survivors = new Dictionary<int, HashSet<Guid>>();
        var attempted = load.AttemptedNames.ToHashSet();
        foreach (var node in new[] { 1, 3 })
        {
            using var reader = await ApiSession.LoginAsync(fixture.Certificates, fixture.Node(node).BaseAddress, account);
            var items = await reader.SyncItemsAsync();
            Assert.All(items, i => Assert.Contains(i.Name, attempted));
            survivors[node] = [.. items.Select(i => i.Id!.Value)];
        }

        var missing = load.Acknowledged.Keys.Where(id => !survivors[1].Contains(id)).ToList();
        new FaultFigures(
            "One of three PostgreSQL nodes killed (-9) behind nginx under write load", load.Attempted, load.Acknowledged.Count,
            load.Acknowledged.Count - missing.Count, survivors[1].Count(id => !load.Acknowledged.ContainsKey(id)),
            $"{Writers} writers through nginx; outcomes {load.Summary()}; node 2 exit code {fixture.Node(2).ExitCode}; nodes 1 and 3 list the same items: {survivors[1].SetEquals(survivors[3])}")
            .Report(output);

        Assert.Equal(137, fixture.Node(2).ExitCode);
        Assert.Empty(missing);
        Assert.Equal(survivors[1], survivors[3]);
    }
}
