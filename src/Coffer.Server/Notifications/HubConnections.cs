using Coffer.Server.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Notifications;

/// <summary>A live connection to the signed-in hub, as <see cref="HubConnections"/> delivers to it.</summary>
internal sealed class LiveConnection(HubCallerContext context, Guid userId, string? deviceIdentifier)
{
    private int inFlight;
    private int dropped;

    public HubCallerContext Context { get; } = context;

    public Guid UserId { get; } = userId;

    /// <summary>The client's device identifier, compared with a notification's <c>ContextId</c> (doc §8).</summary>
    public string? DeviceIdentifier { get; } = deviceIdentifier;

    /// <summary>Counts a send that has not reached the connection's pipe yet; false when the client fell too far behind.</summary>
    public bool TryBeginSend(int limit) => Interlocked.Increment(ref inFlight) <= limit;

    public void EndSend() => Interlocked.Decrement(ref inFlight);

    /// <summary>True the first time only: the connection is dropped once, however many sends find it behind.</summary>
    public bool TryDrop() => Interlocked.Exchange(ref dropped, 1) == 0;
}

/// <summary>
/// The hub connections of this node: admission before the WebSocket upgrade under the caps of
/// <see cref="NotificationOptions"/> (per user, per client address on the anonymous hub, per node for each hub), and
/// the signed-in connections by user, so a notification reaches every device of its user except the acting one, and
/// a LogOut or a removed device ends exactly the connections it concerns. Every node delivers to its own connections
/// only; <see cref="INotificationBus"/> brings other nodes' notifications here.
/// </summary>
internal sealed partial class HubConnections
{
    private readonly NotificationOptions limits;
    private readonly IHubContext<NotificationsHub> hub;
    private readonly ILogger<HubConnections> logger;
    private readonly Lock gate = new();
    private readonly Dictionary<Guid, int> admittedByUser = [];
    private readonly Dictionary<string, int> anonymousByAddress = [];
    private readonly Dictionary<Guid, List<LiveConnection>> liveByUser = [];
    private readonly Dictionary<string, LiveConnection> liveById = [];
    private int signedIn;
    private int anonymous;

    public HubConnections(IOptions<ServerOptions> options, IHubContext<NotificationsHub> hub, CofferMetrics metrics, ILogger<HubConnections> logger)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        limits = options.Value.Notifications;
        this.hub = hub;
        this.logger = logger;
        metrics.ObserveHubConnections(() => SignedIn, () => Anonymous);
    }

    /// <summary>Admitted connections to the signed-in hub on this node (the <c>coffer.hub.connections</c> gauge).</summary>
    public int SignedIn
    {
        get
        {
            lock (gate)
            {
                return signedIn;
            }
        }
    }

    /// <summary>Admitted connections to the anonymous hub on this node.</summary>
    public int Anonymous
    {
        get
        {
            lock (gate)
            {
                return anonymous;
            }
        }
    }

    /// <summary>Signed-in connections registered for delivery: admitted, and past the hub's OnConnectedAsync.</summary>
    public int Registered
    {
        get
        {
            lock (gate)
            {
                return liveById.Count;
            }
        }
    }

    /// <summary>
    /// Reserves a connection slot for <paramref name="userId"/>, or for the client address <paramref name="address"/>
    /// on the anonymous hub when the user is null. Null means over a budget (answer 429); dispose the lease when the
    /// connection ends.
    /// </summary>
    public IDisposable? TryAdmit(Guid? userId, string address)
    {
        lock (gate)
        {
            if (userId is { } user)
            {
                var count = admittedByUser.GetValueOrDefault(user);
                if (signedIn >= limits.MaxConnections || count >= limits.MaxConnectionsPerUser)
                {
                    return null;
                }

                admittedByUser[user] = count + 1;
                signedIn++;
                return new Lease(() => Release(admittedByUser, user, ref signedIn));
            }

            var fromAddress = anonymousByAddress.GetValueOrDefault(address);
            if (anonymous >= limits.MaxAnonymousConnections || fromAddress >= limits.MaxAnonymousConnectionsPerAddress)
            {
                return null;
            }

            anonymousByAddress[address] = fromAddress + 1;
            anonymous++;
            return new Lease(() => Release(anonymousByAddress, address, ref anonymous));
        }
    }

    /// <summary>Registers a signed-in connection once its handshake completed (the hub's OnConnectedAsync).</summary>
    public void Attach(LiveConnection connection)
    {
        lock (gate)
        {
            if (!liveByUser.TryGetValue(connection.UserId, out var list))
            {
                liveByUser[connection.UserId] = list = [];
            }

            list.Add(connection);
            liveById[connection.Context.ConnectionId] = connection;
        }
    }

    public void Detach(string connectionId)
    {
        lock (gate)
        {
            if (liveById.Remove(connectionId, out var connection)
                && liveByUser.TryGetValue(connection.UserId, out var list) && list.Remove(connection) && list.Count == 0)
            {
                liveByUser.Remove(connection.UserId);
            }
        }
    }

    /// <summary>
    /// Sends <paramref name="notification"/> to every live connection of its user, except those of the acting device
    /// (<see cref="Notification.ContextId"/>: that client would drop it anyway, doc §8). Never waits for a client:
    /// each send runs on its own, and a connection with <see cref="NotificationOptions.MaxQueuedMessages"/> sends
    /// still in flight is aborted instead (it catches up at its next sync, doc §10.4). A LogOut then ends every
    /// connection of the user, the acting device's included: all were opened with the security stamp that just changed.
    /// </summary>
    public void Deliver(Notification notification)
    {
        LiveConnection[] targets;
        lock (gate)
        {
            if (!liveByUser.TryGetValue(notification.UserId, out var list))
            {
                return;
            }

            targets = [.. list];
        }

        var message = notification.Message();
        foreach (var connection in targets)
        {
            if (notification.OnlyDevice is { } device && device != connection.DeviceIdentifier)
            {
                continue;
            }

            var acting = notification.ContextId is { } context && context == connection.DeviceIdentifier;
            if (acting && !notification.EndsSessions)
            {
                continue;
            }

            _ = SendAsync(connection, acting ? null : message, notification.EndsSessions);
        }

        LogQueued(notification.Type, targets.Length);
    }

    private async Task SendAsync(LiveConnection connection, PushNotificationData? message, bool thenEnd)
    {
        if (!connection.TryBeginSend(limits.MaxQueuedMessages))
        {
            connection.EndSend();
            if (connection.TryDrop())
            {
                LogFellBehind();
                // A client that stopped reading would not read a polite close either: drop its TCP connection, which
                // also ends the sends stuck on it and frees its slot.
                connection.Context.Abort();
                connection.Context.GetHttpContext()?.Abort();
            }

            return;
        }

        try
        {
            if (message is not null)
            {
                // Completes once the message is in the connection's bounded pipe; the transport writes it out from there.
                await hub.Clients.Client(connection.Context.ConnectionId)
                    .SendAsync(NotificationsHub.Target, message, connection.Context.ConnectionAborted);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The connection is going away; nothing to deliver to.
        }
        finally
        {
            connection.EndSend();
        }

        if (thenEnd)
        {
            // SignalR sends a Close message after what is already written, then closes the WebSocket.
            connection.Context.Abort();
        }
    }

    private void Release<TKey>(Dictionary<TKey, int> counts, TKey key, ref int total)
        where TKey : notnull
    {
        lock (gate)
        {
            var count = counts.GetValueOrDefault(key);
            if (count <= 1)
            {
                counts.Remove(key);
            }
            else
            {
                counts[key] = count - 1;
            }

            total--;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Notification {Type} sent to {Count} connection(s).")]
    private partial void LogQueued(PushType type, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "A hub client fell behind and was disconnected; it catches up at its next sync.")]
    private partial void LogFellBehind();

    private sealed class Lease(Action release) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                release();
            }
        }
    }
}
