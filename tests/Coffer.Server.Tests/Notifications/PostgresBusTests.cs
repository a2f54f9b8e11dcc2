using Coffer.Server.Notifications;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Coffer.Server.Tests.Notifications;

/// <summary>Fan-out between nodes through PostgreSQL LISTEN/NOTIFY: each node delivers to its own connections only.</summary>
public sealed class PostgresBusTests(PostgresFixture cluster) : IClassFixture<PostgresFixture>
{
    // A guard against a hung test, not a timed assertion.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Notification_PublishedOnOneNode_ReachesTheConnectionsOfAnother()
    {
        await using var nodes = await TwoNodes.StartAsync(cluster);
        var devices = await TwoDevices.CreateAsync(nodes.First);
        await using var hub = await LiveSyncClient.ConnectAsync(nodes.Second, devices.SecondToken);
        var revision = new DateTime(2026, 11, 21, 19, 13, 40, 112, DateTimeKind.Utc);
        var notification = new Notification(PushType.SyncCipherUpdate, Guid.Parse(devices.First.UserId), revision, Guid.NewGuid(), "device-a");

        await TwoNodes.Bus(nodes.First).PublishAsync([notification]);

        var received = await hub.NextNotificationAsync();
        Assert.Equal(0, received.Type);
        Assert.Equal("device-a", received.ContextId);
        Assert.Equal(notification.ItemId.ToString(), received.Id);
        Assert.Equal(revision, received.Payload["RevisionDate"]);
    }

    [Fact]
    public async Task Notification_ReachesThePublishingNodesConnectionsOnce()
    {
        await using var nodes = await TwoNodes.StartAsync(cluster);
        var devices = await TwoDevices.CreateAsync(nodes.First);
        await using var local = await LiveSyncClient.ConnectAsync(nodes.First, devices.SecondToken);
        var userId = Guid.Parse(devices.First.UserId);
        var own = new Notification(PushType.SyncFolderCreate, userId, TimeProvider.System.GetUtcNow().UtcDateTime, Guid.NewGuid());
        var marker = new Notification(PushType.SyncVault, userId, TimeProvider.System.GetUtcNow().UtcDateTime);

        await TwoNodes.Bus(nodes.First).PublishAsync([own]);
        // NOTIFY arrives in commit order: had the first node taken its own message from the channel, it would come before this.
        await TwoNodes.Bus(nodes.Second).PublishAsync([marker]);

        Assert.Equal(own.ItemId.ToString(), (await local.NextNotificationAsync()).Id);
        Assert.Equal(5, (await local.NextNotificationAsync()).Type);
    }

    [Fact]
    public async Task Listener_AfterLosingItsConnection_ListensAgain()
    {
        await using var nodes = await TwoNodes.StartAsync(cluster);
        var devices = await TwoDevices.CreateAsync(nodes.First);
        await using var hub = await LiveSyncClient.ConnectAsync(nodes.Second, devices.SecondToken);

        Assert.Equal(2, await cluster.TerminateAsync(nodes.BusConnectionString, PostgresNotificationBus.ApplicationName));

        // Messages sent before the listener is back are lost by design; keep sending until one arrives.
        using var guard = new CancellationTokenSource(Guard);
        var notification = new Notification(PushType.SyncSettings, Guid.Parse(devices.First.UserId), TimeProvider.System.GetUtcNow().UtcDateTime);
        var arrived = hub.NextNotificationAsync();
        while (!arrived.IsCompleted)
        {
            await TwoNodes.Bus(nodes.First).PublishAsync([notification]);
            await Task.WhenAny(arrived, Task.Delay(200, guard.Token));
        }

        Assert.Equal(10, (await arrived).Type);
    }

    [Fact]
    public async Task CipherWrite_OnOneServer_ReachesADeviceConnectedToAnother()
    {
        await using var nodes = await TwoNodes.StartAsync(cluster);
        var devices = await TwoDevices.CreateAsync(nodes.First);
        await using var hub = await LiveSyncClient.ConnectAsync(nodes.Second, devices.SecondToken);

        var cipher = await devices.First.CreateCipherAsync();

        var notification = await hub.NextNotificationAsync();
        Assert.Equal(1, notification.Type);
        Assert.Equal(cipher.RequireString("id"), notification.Id);
        Assert.Equal(devices.First.DeviceIdentifier, notification.ContextId);
    }

    [Fact]
    public async Task OrganizationItemNotification_CarriesItsOrganizationAndCollectionIds_ToAnotherNode()
    {
        await using var nodes = await TwoNodes.StartAsync(cluster);
        var devices = await TwoDevices.CreateAsync(nodes.First);
        await using var hub = await LiveSyncClient.ConnectAsync(nodes.Second, devices.SecondToken);
        var organizationId = Guid.NewGuid();
        Guid[] collections = [Guid.NewGuid(), Guid.NewGuid()];
        var notification = new Notification(PushType.SyncCipherUpdate, Guid.Parse(devices.First.UserId), TimeProvider.System.GetUtcNow().UtcDateTime,
            Guid.NewGuid(), OrganizationId: organizationId, CollectionIds: collections);

        await TwoNodes.Bus(nodes.First).PublishAsync([notification]);

        var received = await hub.NextNotificationAsync();
        Assert.Equal(0, received.Type);
        Assert.Equal(organizationId.ToString(), received.Payload["OrganizationId"]);
        Assert.Equal(collections.Select(c => c.ToString()), Assert.IsType<object[]>(received.Payload["CollectionIds"]).Select(c => (string?)c));
    }

    [Fact]
    public async Task OrganizationItemNotification_TooLargeForNotify_ReachesAnotherNodeAsAFullSync()
    {
        await using var nodes = await TwoNodes.StartAsync(cluster);
        var devices = await TwoDevices.CreateAsync(nodes.First);
        await using var hub = await LiveSyncClient.ConnectAsync(nodes.Second, devices.SecondToken);
        // 250 collection ids are about 10 KB of JSON, past PostgreSQL's 8000-byte NOTIFY payload.
        var notification = new Notification(PushType.SyncCipherUpdate, Guid.Parse(devices.First.UserId), TimeProvider.System.GetUtcNow().UtcDateTime,
            Guid.NewGuid(), OrganizationId: Guid.NewGuid(), CollectionIds: [.. Enumerable.Range(0, 250).Select(_ => Guid.NewGuid())]);

        await TwoNodes.Bus(nodes.First).PublishAsync([notification]);

        var received = await hub.NextNotificationAsync();
        Assert.Equal(4, received.Type);
        Assert.Equal(devices.First.UserId, received.Payload["UserId"]);
    }

    /// <summary>
    /// Two servers over one data folder. On PostgreSQL runs they share its database, and with it the bus; on SQLite
    /// runs each gets a data source for the bus alone, on one database of the cluster.
    /// </summary>
    private sealed class TwoNodes : IAsyncDisposable
    {
        private readonly List<IAsyncDisposable> owned = [];

        private TwoNodes(CofferFactory first, CofferFactory second, string busConnectionString)
        {
            First = first;
            Second = second;
            BusConnectionString = busConnectionString;
        }

        public CofferFactory First { get; }

        public CofferFactory Second { get; }

        /// <summary>The database whose NOTIFY channel the nodes share.</summary>
        public string BusConnectionString { get; }

        public static async Task<TwoNodes> StartAsync(PostgresFixture cluster)
        {
            var first = new CofferFactory();
            var second = CofferFactory.OnExistingFolder(first.DataFolder);
            var busDatabase = TestDatabase.IsPostgres ? TestDatabase.ConnectionStringFor(first.DataFolder) : await cluster.CreateDatabaseAsync();
            var nodes = new TwoNodes(first, second, busDatabase);
            if (!TestDatabase.IsPostgres)
            {
                var firstSource = NpgsqlDataSource.Create(busDatabase);
                var secondSource = NpgsqlDataSource.Create(busDatabase);
                nodes.owned.AddRange([firstSource, secondSource]);
                first.ExtraServices = services => services.AddSingleton(firstSource);
                second.ExtraServices = services => services.AddSingleton(secondSource);
            }

            foreach (var node in new[] { first, second })
            {
                await ((PostgresNotificationBus)TwoNodes.Bus(node)).Listening.WaitAsync(Guard);
            }

            return nodes;
        }

        public static INotificationBus Bus(CofferFactory node) => node.Services.GetRequiredService<INotificationBus>();

        public async ValueTask DisposeAsync()
        {
            await Second.DisposeAsync();
            await First.DisposeAsync();
            foreach (var source in owned)
            {
                await source.DisposeAsync();
            }
        }
    }
}
