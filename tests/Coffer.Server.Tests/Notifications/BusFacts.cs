using Coffer.Server.Notifications;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Notifications;

/// <summary>
/// What every bus between nodes holds, whatever carries it (PostgreSQL NOTIFY in <see cref="PostgresBusTests"/>, the
/// polled table of MySQL in <see cref="MySqlBusTests"/>): another node's connections get each notification whole,
/// the publishing node's get it once, and a notification too large for one message arrives as a full sync.
/// </summary>
public abstract class BusFacts
{
    /// <summary>A guard against a hung test, not a timed assertion.</summary>
    protected static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    /// <summary>Collection ids that make one organization item's message too large for the bus.</summary>
    protected abstract int CollectionsPastTheLimit { get; }

    /// <summary>Two servers sharing one bus, both receiving already.</summary>
    protected abstract Task<TwoNodes> StartNodesAsync();

    [Fact]
    public async Task Notification_PublishedOnOneNode_ReachesTheConnectionsOfAnother()
    {
        await using var nodes = await StartNodesAsync();
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
        await using var nodes = await StartNodesAsync();
        var devices = await TwoDevices.CreateAsync(nodes.First);
        await using var local = await LiveSyncClient.ConnectAsync(nodes.First, devices.SecondToken);
        var userId = Guid.Parse(devices.First.UserId);
        var own = new Notification(PushType.SyncFolderCreate, userId, TimeProvider.System.GetUtcNow().UtcDateTime, Guid.NewGuid());
        var marker = new Notification(PushType.SyncVault, userId, TimeProvider.System.GetUtcNow().UtcDateTime);

        await TwoNodes.Bus(nodes.First).PublishAsync([own]);
        // Both buses keep the order of publishing (NOTIFY commit order, the table's ids): had the first node taken its
        // own message from the bus too, that copy would come before this.
        await TwoNodes.Bus(nodes.Second).PublishAsync([marker]);

        Assert.Equal(own.ItemId.ToString(), (await local.NextNotificationAsync()).Id);
        Assert.Equal(5, (await local.NextNotificationAsync()).Type);
    }

    [Fact]
    public async Task CipherWrite_OnOneServer_ReachesADeviceConnectedToAnother()
    {
        await using var nodes = await StartNodesAsync();
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
        await using var nodes = await StartNodesAsync();
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
    public async Task OrganizationItemNotification_TooLargeForOneMessage_ReachesAnotherNodeAsAFullSync()
    {
        await using var nodes = await StartNodesAsync();
        var devices = await TwoDevices.CreateAsync(nodes.First);
        await using var hub = await LiveSyncClient.ConnectAsync(nodes.Second, devices.SecondToken);
        var notification = new Notification(PushType.SyncCipherUpdate, Guid.Parse(devices.First.UserId), TimeProvider.System.GetUtcNow().UtcDateTime,
            Guid.NewGuid(), OrganizationId: Guid.NewGuid(), CollectionIds: [.. Enumerable.Range(0, CollectionsPastTheLimit).Select(_ => Guid.NewGuid())]);

        await TwoNodes.Bus(nodes.First).PublishAsync([notification]);

        var received = await hub.NextNotificationAsync();
        Assert.Equal(4, received.Type);
        Assert.Equal(devices.First.UserId, received.Payload["UserId"]);
    }

    /// <summary>Two servers over one data folder, and whatever else they need (data sources of their own) disposed with them.</summary>
    public sealed class TwoNodes(CofferFactory first, CofferFactory second, IReadOnlyList<IAsyncDisposable> owned) : IAsyncDisposable
    {
        public CofferFactory First { get; } = first;

        public CofferFactory Second { get; } = second;

        public static INotificationBus Bus(CofferFactory node) => node.Services.GetRequiredService<INotificationBus>();

        /// <summary>Starts both and waits until each receives other nodes' notifications.</summary>
        public async Task<TwoNodes> StartAsync()
        {
            foreach (var node in new[] { First, Second })
            {
                await Bus(node).Listening.WaitAsync(Guard);
            }

            return this;
        }

        public async ValueTask DisposeAsync()
        {
            await Second.DisposeAsync();
            await First.DisposeAsync();
            foreach (var resource in owned)
            {
                await resource.DisposeAsync();
            }
        }
    }
}
