using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Notifications;

/// <summary>
/// One client connection to a hub on this node. Notifications are queued (<see cref="Outbox"/>) and written by the
/// connection's own pump, so publishing never waits for a socket; a client whose queue overflows is aborted and
/// catches up at its next sync (notifications are best effort, doc §10.4).
/// </summary>
internal sealed class HubConnection : IDisposable
{
    private readonly Channel<ReadOnlyMemory<byte>> outbox;
    private readonly CancellationTokenSource aborted = new();

    public HubConnection(Guid? userId, string? deviceIdentifier, IPAddress? address, int capacity)
    {
        UserId = userId;
        DeviceIdentifier = deviceIdentifier;
        Address = address;
        outbox = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>The account of an authenticated hub connection; null on the anonymous hub.</summary>
    public Guid? UserId { get; }

    /// <summary>The client's device identifier, compared with a notification's <c>ContextId</c> (doc §8).</summary>
    public string? DeviceIdentifier { get; }

    public IPAddress? Address { get; }

    /// <summary>Set once the handshake chose a protocol; until then nothing is queued.</summary>
    public HubProtocol? Protocol { get; set; }

    /// <summary>Completed (after the queued frames) when the server ends the connection; see <see cref="EndAfterQueued"/>.</summary>
    public ChannelReader<ReadOnlyMemory<byte>> Outbox => outbox.Reader;

    /// <summary>Cancelled when the connection must stop at once: its client fell behind or the node shuts down.</summary>
    public CancellationToken Aborted => aborted.Token;

    public void Enqueue(ReadOnlyMemory<byte> frame)
    {
        if (!outbox.Writer.TryWrite(frame))
        {
            Abort();
        }
    }

    /// <summary>Sends what is queued, then a Close message, then closes the socket.</summary>
    public void EndAfterQueued() => outbox.Writer.TryComplete();

    public void Abort()
    {
        outbox.Writer.TryComplete();
        try
        {
            aborted.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The pump already finished and disposed the connection.
        }
    }

    public void Dispose() => aborted.Dispose();
}

/// <summary>
/// The hub connections open on this node, by user, with the caps of <see cref="NotificationOptions"/>. Every node
/// delivers to its own connections only; <see cref="INotificationBus"/> brings other nodes' notifications here.
/// </summary>
internal sealed class HubConnections(IOptions<ServerOptions> options, ILogger<HubConnections> logger)
{
    private readonly NotificationOptions limits = options.Value.Notifications;
    private readonly Lock gate = new();
    private readonly Dictionary<Guid, List<HubConnection>> byUser = [];
    private readonly Dictionary<IPAddress, int> anonymousByAddress = [];
    private int total;

    public int Count
    {
        get
        {
            lock (gate)
            {
                return total;
            }
        }
    }

    /// <summary>Registers a connection if the caps allow it; false means refuse the upgrade (429).</summary>
    public bool TryAdd(HubConnection connection)
    {
        lock (gate)
        {
            if (total >= limits.MaxConnections)
            {
                return false;
            }

            if (connection.UserId is { } userId)
            {
                if (!byUser.TryGetValue(userId, out var list))
                {
                    byUser[userId] = list = [];
                }
                else if (list.Count >= limits.MaxConnectionsPerUser)
                {
                    return false;
                }

                list.Add(connection);
            }
            else
            {
                var address = connection.Address ?? IPAddress.None;
                var count = anonymousByAddress.GetValueOrDefault(address);
                if (count >= limits.MaxAnonymousConnectionsPerAddress)
                {
                    return false;
                }

                anonymousByAddress[address] = count + 1;
            }

            total++;
            return true;
        }
    }

    public void Remove(HubConnection connection)
    {
        lock (gate)
        {
            if (connection.UserId is { } userId)
            {
                if (byUser.TryGetValue(userId, out var list) && list.Remove(connection) && list.Count == 0)
                {
                    byUser.Remove(userId);
                }
            }
            else
            {
                var address = connection.Address ?? IPAddress.None;
                var count = anonymousByAddress.GetValueOrDefault(address);
                if (count <= 1)
                {
                    anonymousByAddress.Remove(address);
                }
                else
                {
                    anonymousByAddress[address] = count - 1;
                }
            }

            total--;
        }
    }

    /// <summary>
    /// Queues <paramref name="notification"/> on every live connection of its user, except those of the acting
    /// device (<see cref="Notification.ContextId"/>: that client would drop it anyway, doc §8). Never blocks. A
    /// LogOut then ends every connection of the user, the acting device's included: all were opened with the
    /// security stamp that just changed.
    /// </summary>
    public void Deliver(Notification notification)
    {
        HubConnection[] targets;
        lock (gate)
        {
            if (!byUser.TryGetValue(notification.UserId, out var list))
            {
                return;
            }

            targets = [.. list];
        }

        byte[]? messagePack = null, json = null;
        foreach (var connection in targets)
        {
            var protocol = connection.Protocol;
            var acting = notification.ContextId is { } context && context == connection.DeviceIdentifier;
            if (protocol is not null && !acting)
            {
                var frame = protocol == HubProtocol.MessagePack
                    ? messagePack ??= protocol.Encode(notification)
                    : json ??= protocol.Encode(notification);
                connection.Enqueue(frame);
            }

            if (notification.EndsSessions)
            {
                connection.EndAfterQueued();
            }
        }

        logger.LogDebug("Notification {Type} queued for {Count} connection(s).", notification.Type, targets.Length);
    }
}
