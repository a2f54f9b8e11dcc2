using Coffer.Server.Notifications;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
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
        await using var database = NpgsqlDataSource.Create(await cluster.CreateDatabaseAsync());
        await using var sender = await Node.StartAsync(database);
        await using var receiver = await Node.StartAsync(database);
        var userId = Guid.NewGuid();
        var connection = receiver.Connect(userId);
        var notification = new Notification(PushType.SyncCipherUpdate, userId, TimeProvider.System.GetUtcNow().UtcDateTime, Guid.NewGuid(), "device-a");

        await sender.Bus.PublishAsync([notification]);

        Assert.Equal(HubProtocol.MessagePack.Encode(notification), await NextFrameAsync(connection));
    }

    [Fact]
    public async Task Notification_ReachesThePublishingNodesConnectionsOnce()
    {
        await using var database = NpgsqlDataSource.Create(await cluster.CreateDatabaseAsync());
        await using var first = await Node.StartAsync(database);
        await using var second = await Node.StartAsync(database);
        var userId = Guid.NewGuid();
        var local = first.Connect(userId);
        var own = new Notification(PushType.SyncFolderCreate, userId, TimeProvider.System.GetUtcNow().UtcDateTime, Guid.NewGuid());
        var marker = new Notification(PushType.SyncVault, userId, TimeProvider.System.GetUtcNow().UtcDateTime);

        await first.Bus.PublishAsync([own]);
        // NOTIFY arrives in commit order: had the first node taken its own message from the channel, it would come before this.
        await second.Bus.PublishAsync([marker]);

        Assert.Equal(HubProtocol.MessagePack.Encode(own), await NextFrameAsync(local));
        Assert.Equal(HubProtocol.MessagePack.Encode(marker), await NextFrameAsync(local));
    }

    [Fact]
    public async Task Listener_AfterLosingItsConnection_ListensAgain()
    {
        var connectionString = await cluster.CreateDatabaseAsync();
        await using var database = NpgsqlDataSource.Create(connectionString);
        await using var sender = await Node.StartAsync(database);
        await using var receiver = await Node.StartAsync(database);
        var userId = Guid.NewGuid();
        var connection = receiver.Connect(userId);

        Assert.Equal(2, await cluster.TerminateAsync(connectionString, PostgresNotificationBus.ApplicationName));

        // Messages sent before the listener is back are lost by design; keep sending until one arrives.
        using var guard = new CancellationTokenSource(Guard);
        var notification = new Notification(PushType.SyncSettings, userId, TimeProvider.System.GetUtcNow().UtcDateTime);
        var arrived = connection.Outbox.WaitToReadAsync(guard.Token).AsTask();
        while (!arrived.IsCompleted)
        {
            await sender.Bus.PublishAsync([notification]);
            await Task.WhenAny(arrived, Task.Delay(200, guard.Token));
        }

        Assert.True(await arrived);
        Assert.Equal(HubProtocol.MessagePack.Encode(notification), await NextFrameAsync(connection));
    }

    [Fact]
    public async Task CipherWrite_OnOneServer_ReachesADeviceConnectedToAnother()
    {
        // Two servers over one data folder. On PostgreSQL runs they share its database, and with it the bus; on
        // SQLite runs each gets a data source for the bus alone, on one database of the cluster.
        var connectionString = await cluster.CreateDatabaseAsync();
        await using var firstSource = NpgsqlDataSource.Create(connectionString);
        await using var secondSource = NpgsqlDataSource.Create(connectionString);
        await using var first = new CofferFactory();
        await using var second = CofferFactory.OnExistingFolder(first.DataFolder);
        if (!TestDatabase.IsPostgres)
        {
            first.ExtraServices = services => services.AddSingleton(firstSource);
            second.ExtraServices = services => services.AddSingleton(secondSource);
        }
        var devices = await TwoDevices.CreateAsync(first);
        _ = second.Server;
        await ((PostgresNotificationBus)second.Services.GetRequiredService<INotificationBus>()).Listening.WaitAsync(Guard);
        await using var hub = await HubClient.ConnectAsync(second, devices.SecondToken);

        var cipher = await devices.First.CreateCipherAsync();

        var notification = await hub.NextNotificationAsync();
        Assert.Equal(1, notification.Type);
        Assert.Equal(cipher.RequireString("id"), notification.Id);
        Assert.Equal(devices.First.DeviceIdentifier, notification.ContextId);
    }

    private static async Task<byte[]> NextFrameAsync(HubConnection connection)
    {
        using var guard = new CancellationTokenSource(Guard);
        return (await connection.Outbox.ReadAsync(guard.Token)).ToArray();
    }

    /// <summary>One node's bus and connection registry, listening until disposed.</summary>
    private sealed class Node : IAsyncDisposable
    {
        private readonly CancellationTokenSource stop = new();
        private readonly HubConnections hubs;
        private Task listening = Task.CompletedTask;

        private Node(NpgsqlDataSource database)
        {
            hubs = new HubConnections(Options.Create(new ServerOptions()), NullLogger<HubConnections>.Instance);
            Bus = new PostgresNotificationBus(database, hubs, TimeProvider.System, NullLogger<PostgresNotificationBus>.Instance);
        }

        public PostgresNotificationBus Bus { get; }

        public static async Task<Node> StartAsync(NpgsqlDataSource database)
        {
            var node = new Node(database);
            node.listening = node.Bus.ListenAsync(node.stop.Token);
            await node.Bus.Listening.WaitAsync(Guard);
            return node;
        }

        public HubConnection Connect(Guid userId)
        {
            var connection = new HubConnection(userId, "device-b", null, 16) { Protocol = HubProtocol.MessagePack };
            Assert.True(hubs.TryAdd(connection));
            return connection;
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await listening;
            stop.Dispose();
        }
    }
}
