using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;

namespace Coffer.Server.Notifications;

/// <summary>
/// Carries committed changes' notifications to the hub connections of every node: in-process when the database is
/// SQLite (one node), through PostgreSQL LISTEN/NOTIFY when it is PostgreSQL, through a table every node polls when
/// it is MySQL or MariaDB (<see cref="MySqlNotificationBus"/>), so no broker besides the database.
/// </summary>
public interface INotificationBus
{
    /// <summary>
    /// Delivers to this node's connections at once and sends to the other nodes. Best effort (doc §10.4): a failed
    /// fan-out is logged, never thrown, as the change it reports is already committed.
    /// </summary>
    Task PublishAsync(IReadOnlyList<Notification> notifications);

    /// <summary>Receives other nodes' notifications until <paramref name="ct"/> is cancelled; the in-process bus has none.</summary>
    Task ListenAsync(CancellationToken ct);

    /// <summary>Completes once this node receives other nodes' notifications (at once when there are none to receive).</summary>
    Task Listening => Task.CompletedTask;

    /// <summary>
    /// Removes what the bus stored before <paramref name="before"/> (UTC) and returns how many notifications that was.
    /// Only the MySQL bus stores any (its <c>notifications</c> table); the background run calls this.
    /// </summary>
    Task<int> PruneAsync(DateTime before, CancellationToken ct) => Task.FromResult(0);
}

/// <summary>A single node: every connection is local.</summary>
internal sealed class LocalNotificationBus(HubConnections hubs) : INotificationBus
{
    public Task PublishAsync(IReadOnlyList<Notification> notifications)
    {
        foreach (var notification in notifications)
        {
            hubs.Deliver(notification);
        }

        return Task.CompletedTask;
    }

    public Task ListenAsync(CancellationToken ct) => Task.CompletedTask;
}

/// <summary>
/// Nodes sharing one PostgreSQL database: each NOTIFYs channel <see cref="Channel"/> with one small JSON message
/// per notification (ids, types and dates; an organization item's collection ids can exceed PostgreSQL's 8000-byte
/// payload limit past about 180 collections, and then travel as a full-sync notification instead) and LISTENs on one
/// dedicated connection, which it reopens with back-off (1 s doubling to 30 s) when it is lost. Notifications sent
/// while a node is not listening are lost; its clients catch up at their next sync. NOTIFY reaches only sessions
/// of the same database, so several Coffer installations on one cluster never see each other's messages.
/// </summary>
internal sealed partial class PostgresNotificationBus(NpgsqlDataSource dataSource, HubConnections hubs, TimeProvider time, ILogger<PostgresNotificationBus> logger)
    : INotificationBus
{
    public const string Channel = "coffer_notifications";

    /// <summary>The listening session's <c>application_name</c>, so an operator can find it in <c>pg_stat_activity</c>.</summary>
    public const string ApplicationName = "coffer-notifications";

    private const int MaxPayloadBytes = 7999;
    private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(30);

    // Each node skips its own messages: it delivered them locally already, without waiting for the database.
    private readonly Guid node = Guid.NewGuid();
    private readonly TaskCompletionSource listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once this node LISTENs for the first time.</summary>
    public Task Listening => listening.Task;

    public async Task PublishAsync(IReadOnlyList<Notification> notifications)
    {
        foreach (var notification in notifications)
        {
            hubs.Deliver(notification);
        }

        try
        {
            foreach (var notification in notifications)
            {
                if (BusMessage.Encode(node, notification, MaxPayloadBytes) is not { } payload)
                {
                    LogTooLarge(notification.Type);
                    continue;
                }

                await using var notify = dataSource.CreateCommand("SELECT pg_notify($1, $2)");
                notify.Parameters.Add(new NpgsqlParameter { Value = Channel });
                notify.Parameters.Add(new NpgsqlParameter { Value = payload });
                await notify.ExecuteNonQueryAsync();
            }
        }
        catch (Exception e)
        {
            // Whatever went wrong, the change is committed: the request must still succeed (doc §10.4).
            LogPublishFailed(e);
        }
    }

    public Task ListenAsync(CancellationToken ct) => BusSessions.KeepAsync(async (connected, token) =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        connection.Notification += OnNotification;
        await using (var listen = new NpgsqlCommand($"SET application_name = '{ApplicationName}'; LISTEN {Channel}", connection))
        {
            await listen.ExecuteNonQueryAsync(token);
        }

        LogListening(Channel);
        listening.TrySetResult();
        connected();
        while (true)
        {
            // Notifications arrive while waiting; a round trip after a quiet spell notices a dead connection.
            if (!await connection.WaitAsync(IdleCheck, token))
            {
                await using var check = new NpgsqlCommand("SELECT 1", connection);
                await check.ExecuteScalarAsync(token);
            }
        }
    }, LogListenFailed, time, ct);

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (!BusMessage.DeliverIfForeign(e.Payload, node, hubs))
        {
            LogMalformed();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for notifications of other nodes on PostgreSQL channel {Channel}.")]
    private partial void LogListening(string channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the PostgreSQL notification listener; retrying in {Seconds} s.")]
    private partial void LogListenFailed(Exception e, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not send a notification to the other nodes; their clients catch up at their next sync.")]
    private partial void LogPublishFailed(Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A {Type} notification is too large for PostgreSQL NOTIFY and was not sent to other nodes.")]
    private partial void LogTooLarge(PushType type);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a malformed message on the notification channel.")]
    private partial void LogMalformed();
}

/// <summary>The receiving side of the buses between nodes: a session on a connection of its own, kept up for the server's lifetime.</summary>
internal static class BusSessions
{
    private static readonly TimeSpan MaxBackOff = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Runs <paramref name="session"/> until <paramref name="ct"/> is cancelled, and again after any failure, not only
    /// network ones (a receiver that gave up would silently end live sync on this node), waiting 1 s doubling to 30 s
    /// in between; the wait starts again from 1 s once the session calls its first argument (connected).
    /// </summary>
    public static async Task KeepAsync(Func<Action, CancellationToken, Task> session, Action<Exception, double> logFailed, TimeProvider time, CancellationToken ct)
    {
        var backOff = TimeSpan.FromSeconds(1);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await session(() => backOff = TimeSpan.FromSeconds(1), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                logFailed(e, backOff.TotalSeconds);
                try
                {
                    await Task.Delay(backOff, time, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backOff = TimeSpan.FromTicks(Math.Min(backOff.Ticks * 2, MaxBackOff.Ticks));
            }
        }
    }
}

/// <summary>What travels between nodes (a NOTIFY payload, a row of MySQL's <c>notifications</c>): the sending node and one notification.</summary>
internal sealed record BusMessage(Guid Node, Notification Notification)
{
    /// <summary>
    /// The JSON of <paramref name="notification"/> from <paramref name="node"/> in at most <paramref name="maxBytes"/>
    /// UTF-8 bytes. An organization item in too many collections to fit travels as a full sync of the same account
    /// instead (<see cref="Notification.AsFullSync"/>); null when even that does not fit.
    /// </summary>
    public static string? Encode(Guid node, Notification notification, int maxBytes)
    {
        var payload = JsonSerializer.Serialize(new BusMessage(node, notification), BusJson.Default.BusMessage);
        if (Encoding.UTF8.GetByteCount(payload) > maxBytes && notification.CollectionIds is { Count: > 0 })
        {
            payload = JsonSerializer.Serialize(new BusMessage(node, notification.AsFullSync()), BusJson.Default.BusMessage);
        }

        return Encoding.UTF8.GetByteCount(payload) <= maxBytes ? payload : null;
    }

    /// <summary>
    /// Delivers the message in <paramref name="payload"/> to this node's connections unless this node,
    /// <paramref name="node"/>, sent it (it delivered its own locally already). False when the payload is not a message
    /// (malformed JSON, missing fields).
    /// </summary>
    public static bool DeliverIfForeign(string payload, Guid node, HubConnections hubs)
    {
        BusMessage? message;
        try
        {
            message = JsonSerializer.Deserialize(payload, BusJson.Default.BusMessage);
        }
        catch (JsonException)
        {
            return false;
        }

        if (message is not null && message.Node != node)
        {
            hubs.Deliver(message.Notification);
        }

        return message is not null;
    }
}

[JsonSerializable(typeof(BusMessage))]
internal sealed partial class BusJson : JsonSerializerContext;

/// <summary>Runs the bus's listener for the lifetime of the server.</summary>
internal sealed class NotificationListener(INotificationBus bus) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => bus.ListenAsync(stoppingToken);
}
