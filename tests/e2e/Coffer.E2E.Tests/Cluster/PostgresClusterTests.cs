namespace Coffer.E2E.Tests.Cluster;

/// <summary>Facts about the throwaway PostgreSQL cluster the fault tests stop and start.</summary>
public sealed class PostgresClusterTests
{
    [Fact]
    public async Task PostgresCluster_StoppedImmediately_RefusesConnections_ThenServesAgainOnTheSamePort()
    {
        await using var cluster = await PostgresCluster.StartAsync();
        await cluster.CreateDatabaseAsync("before_stop");

        await cluster.StopImmediatelyAsync();
        var whileStopped = await Record.ExceptionAsync(() => cluster.CreateDatabaseAsync("while_stopped"));
        await cluster.StartAgainAsync();
        await cluster.CreateDatabaseAsync("after_restart");
        var duplicate = await Record.ExceptionAsync(() => cluster.CreateDatabaseAsync("before_stop"));

        Assert.NotNull(whileStopped);
        Assert.Contains("127.0.0.1", whileStopped.Message, StringComparison.Ordinal);
        Assert.NotNull(duplicate); // the database made before the crash is still there
        Assert.Contains("already exists", duplicate.Message, StringComparison.Ordinal);
    }
}
