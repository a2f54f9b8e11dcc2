using Coffer.Server.Notifications;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Tests.Notifications;

/// <summary>The per-node registry: caps, who receives what, and what a client that falls behind costs.</summary>
public sealed class HubConnectionsTests
{
    private static readonly Guid UserId = Guid.NewGuid();

    [Fact]
    public void TryAdd_BeyondTheNodeCap_IsRefused_UntilOneLeaves()
    {
        var hubs = Registry(new NotificationOptions { MaxConnections = 2 });
        var first = Connection(Guid.NewGuid());
        Assert.True(hubs.TryAdd(first));
        Assert.True(hubs.TryAdd(Connection(null)));

        Assert.False(hubs.TryAdd(Connection(Guid.NewGuid())));
        hubs.Remove(first);
        Assert.True(hubs.TryAdd(Connection(Guid.NewGuid())));
        Assert.Equal(2, hubs.Count);
    }

    [Fact]
    public void Deliver_SkipsTheActingDevice_AndConnectionsBeforeTheirHandshake()
    {
        var hubs = Registry(new NotificationOptions());
        var acting = Connection(UserId, "acting");
        var other = Connection(UserId, "other");
        var handshaking = Connection(UserId, "new", handshaken: false);
        foreach (var connection in new[] { acting, other, handshaking })
        {
            Assert.True(hubs.TryAdd(connection));
        }

        hubs.Deliver(new Notification(PushType.SyncCipherCreate, UserId, DateTime.UnixEpoch, Guid.NewGuid(), "acting"));

        Assert.False(acting.Outbox.TryRead(out _));
        Assert.True(other.Outbox.TryRead(out _));
        Assert.False(handshaking.Outbox.TryRead(out _));
    }

    [Fact]
    public void Deliver_LogOut_EndsEveryConnectionOfTheUser_AfterTheMessage()
    {
        var hubs = Registry(new NotificationOptions());
        var acting = Connection(UserId, "acting");
        var other = Connection(UserId, "other");
        var stranger = Connection(Guid.NewGuid(), "other");
        Assert.True(hubs.TryAdd(acting) && hubs.TryAdd(other) && hubs.TryAdd(stranger));

        hubs.Deliver(new Notification(PushType.LogOut, UserId, DateTime.UnixEpoch, ContextId: "acting"));

        Assert.True(acting.Outbox.Completion.IsCompleted);
        Assert.True(other.Outbox.TryRead(out _));
        Assert.True(other.Outbox.Completion.IsCompleted);
        Assert.False(stranger.Outbox.Completion.IsCompleted);
        Assert.False(other.Aborted.IsCancellationRequested);
    }

    [Fact]
    public void Enqueue_BeyondTheQueue_AbortsThatConnectionOnly()
    {
        var hubs = Registry(new NotificationOptions());
        var slow = Connection(UserId, "slow", capacity: 2);
        var fast = Connection(UserId, "fast", capacity: 8);
        Assert.True(hubs.TryAdd(slow) && hubs.TryAdd(fast));

        for (var i = 0; i < 3; i++)
        {
            hubs.Deliver(new Notification(PushType.SyncVault, UserId, DateTime.UnixEpoch));
        }

        Assert.True(slow.Aborted.IsCancellationRequested);
        Assert.False(fast.Aborted.IsCancellationRequested);
        Assert.Equal(3, fast.Outbox.Count);
    }

    private static HubConnections Registry(NotificationOptions limits) =>
        new(Options.Create(new ServerOptions { Notifications = limits }), NullLogger<HubConnections>.Instance);

    private static HubConnection Connection(Guid? userId, string? device = null, int capacity = 8, bool handshaken = true) =>
        new(userId, device, null, capacity) { Protocol = handshaken ? HubProtocol.MessagePack : null };
}
