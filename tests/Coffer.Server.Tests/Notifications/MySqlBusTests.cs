using System.Diagnostics;
using Coffer.Server.Background;
using Coffer.Server.Notifications;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MySql.Data.MySqlClient;

namespace Coffer.Server.Tests.Notifications;

/// <summary>
/// Fan-out between nodes on MySQL or MariaDB, which have no LISTEN/NOTIFY: the nodes pass notifications through the
/// <c>notifications</c> table, each reading the rows past the last one it read. The facts of every bus
/// (<see cref="BusFacts"/>; Provider=MySqlOnly filters them out of other runs), and what a polled table adds: rows committed out of id order, a reader that resumes without losing or repeating
/// rows, and pruning by the background run.
/// </summary>
[Trait("Provider", "MySqlOnly")]
public sealed class MySqlBusTests : BusFacts
{
    // 2,000 collection ids are about 78 KB of JSON, past the 64 KiB TEXT column.
    protected override int CollectionsPastTheLimit => 2000;

    [MySqlFact]
    public async Task Reader_AfterLosingItsConnection_DeliversWhatWasPublishedMeanwhile_Once()
    {
        await using var nodes = await StartNodesAsync();
        var devices = await TwoDevices.CreateAsync(nodes.First);
        await using var hub = await LiveSyncClient.ConnectAsync(nodes.Second, devices.SecondToken);
        var reader = Reader(nodes.Second);
        var lost = reader.ReaderConnectionId;
        var userId = Guid.Parse(devices.First.UserId);
        var before = new Notification(PushType.SyncFolderUpdate, userId, TimeProvider.System.GetUtcNow().UtcDateTime, Guid.NewGuid());
        await TwoNodes.Bus(nodes.First).PublishAsync([before]);
        Assert.Equal(before.ItemId.ToString(), (await hub.NextNotificationAsync()).Id);

        await KillAsync(lost);
        // Published while the second node's reader is gone: it retries after a second, and must find all of them.
        var meanwhile = Enumerable.Range(0, 5)
            .Select(_ => new Notification(PushType.SyncFolderUpdate, userId, TimeProvider.System.GetUtcNow().UtcDateTime, Guid.NewGuid())).ToList();
        await TwoNodes.Bus(nodes.First).PublishAsync(meanwhile);
        var marker = new Notification(PushType.SyncVault, userId, TimeProvider.System.GetUtcNow().UtcDateTime);
        await TwoNodes.Bus(nodes.First).PublishAsync([marker]);

        var received = new List<ReceivedNotification>();
        while (received.Count == 0 || received[^1].Type != 5)
        {
            received.Add(await hub.NextNotificationAsync());
        }

        Assert.Equal(meanwhile.Select(n => n.ItemId.ToString()), received.SkipLast(1).Select(n => n.Id));
        Assert.NotEqual(lost, reader.ReaderConnectionId);
    }

    [MySqlFact]
    public async Task Row_CommittedAfterARowWithAHigherId_IsStillDeliveredOnce()
    {
        await using var nodes = await StartNodesAsync();
        var devices = await TwoDevices.CreateAsync(nodes.First);
        await using var hub = await LiveSyncClient.ConnectAsync(nodes.Second, devices.SecondToken);
        var userId = Guid.Parse(devices.First.UserId);
        var late = new Notification(PushType.SyncFolderCreate, userId, TimeProvider.System.GetUtcNow().UtcDateTime, Guid.NewGuid());
        var early = new Notification(PushType.SyncFolderUpdate, userId, TimeProvider.System.GetUtcNow().UtcDateTime, Guid.NewGuid());
        var marker = new Notification(PushType.SyncVault, userId, TimeProvider.System.GetUtcNow().UtcDateTime);
        await using var slow = (MySqlConnection)TestDatabase.Open(nodes.First.DataFolder);
        await using var transaction = await slow.BeginTransactionAsync();
        await using (var insert = new MySqlCommand("INSERT INTO notifications (Payload, Created) VALUES (@p, UTC_TIMESTAMP(6))", slow, transaction))
        {
            // Takes its id now, commits only below, after a row with a higher id was read.
            insert.Parameters.AddWithValue("@p", BusMessage.Encode(Guid.NewGuid(), late, 65535));
            await insert.ExecuteNonQueryAsync();
        }

        await TwoNodes.Bus(nodes.First).PublishAsync([early]);
        Assert.Equal(early.ItemId.ToString(), (await hub.NextNotificationAsync()).Id);
        await transaction.CommitAsync();
        var afterCommit = await hub.NextNotificationAsync();
        await TwoNodes.Bus(nodes.First).PublishAsync([marker]);

        Assert.Equal(late.ItemId.ToString(), afterCommit.Id);
        Assert.Equal(5, (await hub.NextNotificationAsync()).Type);
    }

    [MySqlFact]
    public async Task Node_StartedAfterRowsWerePublished_DoesNotDeliverThem()
    {
        var first = new CofferFactory();
        await using var firstNode = first;
        var devices = await TwoDevices.CreateAsync(first);
        var userId = Guid.Parse(devices.First.UserId);
        await first.Services.GetRequiredService<INotificationBus>().PublishAsync(
            [new Notification(PushType.SyncFolderDelete, userId, TimeProvider.System.GetUtcNow().UtcDateTime, Guid.NewGuid())]);
        await using var second = CofferFactory.OnExistingFolder(first.DataFolder);
        await Reader(second).Listening.WaitAsync(Guard);
        await using var hub = await LiveSyncClient.ConnectAsync(second, devices.SecondToken);

        await first.Services.GetRequiredService<INotificationBus>().PublishAsync(
            [new Notification(PushType.SyncVault, userId, TimeProvider.System.GetUtcNow().UtcDateTime)]);

        Assert.Equal(5, (await hub.NextNotificationAsync()).Type);
    }

    [MySqlFact]
    public async Task Notification_ReachesAnotherNode_WellWithinASecond()
    {
        await using var nodes = await StartNodesAsync();
        var devices = await TwoDevices.CreateAsync(nodes.First);
        await using var hub = await LiveSyncClient.ConnectAsync(nodes.Second, devices.SecondToken);
        var latencies = new List<TimeSpan>();

        for (var i = 0; i < 10; i++)
        {
            var sent = Stopwatch.GetTimestamp();
            await TwoNodes.Bus(nodes.First).PublishAsync([new Notification(PushType.SyncSettings, Guid.Parse(devices.First.UserId), TimeProvider.System.GetUtcNow().UtcDateTime)]);
            Assert.Equal(10, (await hub.NextNotificationAsync()).Type);
            latencies.Add(Stopwatch.GetElapsedTime(sent));
        }

        // The bound is the poll interval (250 ms) plus two round trips; the median leaves room for a loaded machine.
        var median = latencies.Order().ElementAt(latencies.Count / 2);
        Assert.True(median < TimeSpan.FromSeconds(1), $"median {median.TotalMilliseconds} ms");
    }

    [MySqlFact]
    public async Task BackgroundRun_RemovesRowsPastTheRetention_AndKeepsNewerOnes()
    {
        await using var node = new CofferFactory();
        var runs = node.Services.GetRequiredService<BackgroundRuns>();
        await runs.FirstRun;
        var bus = node.Services.GetRequiredService<INotificationBus>();
        var userId = Guid.NewGuid();
        await bus.PublishAsync([.. Enumerable.Range(0, 3).Select(_ => new Notification(PushType.SyncSettings, userId, node.Clock.GetUtcNow().UtcDateTime))]);
        node.Clock.Advance(MySqlNotificationBus.Retention + TimeSpan.FromMinutes(1));
        await bus.PublishAsync([new Notification(PushType.SyncVault, userId, node.Clock.GetUtcNow().UtcDateTime)]);

        var report = await runs.RunAsync(RunKind.Retry, default);

        Assert.Equal(3, report?.Notifications);
        using var db = TestDatabase.Open(node.DataFolder);
        Assert.Equal(1, await db.ScalarAsync("SELECT COUNT(*) FROM notifications"));
    }

    private static async Task KillAsync(int connectionId)
    {
        await using var admin = new MySqlConnection(TestDatabase.AdminConnectionString);
        await admin.OpenAsync();
        await using var kill = new MySqlCommand($"KILL CONNECTION {connectionId}", admin);
        await kill.ExecuteNonQueryAsync();
    }

    protected override Task<TwoNodes> StartNodesAsync()
    {
        if (!TestDatabase.IsMySql)
        {
            throw new InvalidOperationException("MySqlBusTests need COFFER_TEST_PROVIDER=mysql (trait Provider=MySqlOnly; other runs filter them out).");
        }

        var first = new CofferFactory();
        return new TwoNodes(first, CofferFactory.OnExistingFolder(first.DataFolder), []).StartAsync();
    }

    private static MySqlNotificationBus Reader(CofferFactory node) => (MySqlNotificationBus)TwoNodes.Bus(node);
}
