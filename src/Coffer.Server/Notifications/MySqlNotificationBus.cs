using System.Globalization;
using System.Text;
using MySql.Data.MySqlClient;

namespace Coffer.Server.Notifications;

/// <summary>
/// Nodes sharing one MySQL or MariaDB database, which has no LISTEN/NOTIFY: a node publishes by inserting one row per
/// notification into the table <see cref="Table"/> (an AUTO_INCREMENT <c>Id</c>, the <see cref="BusMessage"/> JSON
/// in <c>Payload</c>, the time in <c>Created</c>; migration <c>20261209100000_Notifications</c>), and every node reads
/// the rows past the last one it read on a dedicated connection every <see cref="NotificationOptions.PollMilliseconds"/>
/// (250 ms unless configured, at most 1 s). Another node's change therefore reaches this node's connections within
/// that interval plus two round trips to the database (an insert, a read). Each node skips its own rows, as on
/// PostgreSQL: it delivered them locally already.
/// <para>
/// Ids are handed out when a row is inserted, not when it commits, so a row can become visible after one with a
/// higher id (and ids skip where an insert failed or where <c>auto_increment_increment</c> is above 1). The ids a
/// read skips are read again for <see cref="GapWait"/>, so a late commit is still delivered, once. A lost connection
/// is reopened with back-off (1 s doubling to 30 s) and reading resumes after the last id read: nothing published
/// meanwhile is lost, nothing is delivered twice. Rows older than <see cref="Retention"/> are deleted by the background
/// run (<see cref="PruneAsync"/>); a node cut off from the database for longer misses those, and its clients catch up
/// at their next sync (notifications doc §10.4).
/// </para>
/// </summary>
internal sealed partial class MySqlNotificationBus(string connectionString, HubConnections hubs, TimeProvider time,
    Microsoft.Extensions.Options.IOptions<ServerOptions> options, ILogger<MySqlNotificationBus> logger) : INotificationBus
{
    public const string Table = "notifications";

    /// <summary>How long a row stays in <see cref="Table"/>: far longer than any node needs to read it.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromMinutes(10);

    /// <summary>How long a skipped id is looked for again: an insert commits within milliseconds of taking its id.</summary>
    public static readonly TimeSpan GapWait = TimeSpan.FromSeconds(10);

    // The column is TEXT (64 KiB): an item in about 1,600 collections or more travels as a full sync instead.
    private const int MaxPayloadBytes = 65535;

    // Rows per read, and per insert statement (well under max_allowed_packet: a payload is usually under 400 bytes).
    private const int Batch = 500;

    // Skipped ids looked for again at most; beyond that the oldest are given up.
    private const int MaxGaps = 1000;

    private const int DeleteBatch = 10_000;
    private const int CommandTimeoutSeconds = 10;

    private readonly Guid node = Guid.NewGuid();
    private readonly TaskCompletionSource listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // The reader's own connection, outside the pool, so a lost one is never handed back out.
    private readonly string readerConnectionString = new MySqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    // Only ListenAsync's loop touches these.
    private readonly SortedDictionary<long, DateTimeOffset> gaps = [];
    private long lastId = -1;

    /// <summary>Completes once this node has read the table for the first time.</summary>
    public Task Listening => listening.Task;

    /// <summary>The server's id of the reading connection (for <c>KILL</c> in tests and in <c>SHOW PROCESSLIST</c>); 0 before the first.</summary>
    public int ReaderConnectionId { get; private set; }

    public async Task PublishAsync(IReadOnlyList<Notification> notifications)
    {
        foreach (var notification in notifications)
        {
            hubs.Deliver(notification);
        }

        try
        {
            var payloads = new List<string>(notifications.Count);
            foreach (var notification in notifications)
            {
                if (BusMessage.Encode(node, notification, MaxPayloadBytes) is { } payload)
                {
                    payloads.Add(payload);
                }
                else
                {
                    LogTooLarge(notification.Type);
                }
            }

            if (payloads.Count == 0)
            {
                return;
            }

            await using var connection = new MySqlConnection(connectionString);
            await connection.OpenAsync();
            var created = time.GetUtcNow().UtcDateTime;
            foreach (var chunk in payloads.Chunk(Batch))
            {
                // One statement per chunk: its rows take consecutive ids, so other nodes deliver them in this order.
                await using var insert = connection.CreateCommand();
                var values = new StringBuilder();
                for (var i = 0; i < chunk.Length; i++)
                {
                    values.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"(@p{i}, @created)");
                    insert.Parameters.AddWithValue($"@p{i}", chunk[i]);
                }

                insert.Parameters.AddWithValue("@created", created);
                insert.CommandText = $"INSERT INTO {Table} (Payload, Created) VALUES {values}";
                await insert.ExecuteNonQueryAsync();
            }
        }
        catch (Exception e)
        {
            // Whatever went wrong, the change is committed: the request must still succeed (doc §10.4).
            LogPublishFailed(e);
        }
    }

    public Task ListenAsync(CancellationToken ct)
    {
        var interval = TimeSpan.FromMilliseconds(options.Value.Notifications.PollMilliseconds);
        return BusSessions.KeepAsync(async (connected, token) =>
        {
            await using var connection = new MySqlConnection(readerConnectionString);
            await connection.OpenAsync(token);
            ReaderConnectionId = connection.ServerThread;
            await StartReadingAsync(connection, token);
            LogListening(interval.TotalMilliseconds);
            listening.TrySetResult();
            connected();
            while (true)
            {
                if (!await ReadAsync(connection, token))
                {
                    await Task.Delay(interval, time, token);
                }
            }
        }, LogListenFailed, time, ct);
    }

    /// <summary>Deletes the rows created before <paramref name="before"/>, in batches so no statement holds its locks long.</summary>
    public async Task<int> PruneAsync(DateTime before, CancellationToken ct)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var removed = 0;
        while (true)
        {
            await using var delete = connection.CreateCommand();
            delete.CommandText = $"DELETE FROM {Table} WHERE Created < @before ORDER BY Id LIMIT {DeleteBatch}";
            delete.Parameters.AddWithValue("@before", before);
            var count = await delete.ExecuteNonQueryAsync(ct);
            removed += count;
            if (count < DeleteBatch)
            {
                return removed;
            }
        }
    }

    /// <summary>
    /// The first time, reading starts after the newest row (what was published before this node started is not
    /// its clients' news); after a lost connection it resumes where it stopped, unless the table now ends below that
    /// (emptied or restored), where it starts again from the newest row.
    /// </summary>
    private async Task StartReadingAsync(MySqlConnection connection, CancellationToken ct)
    {
        await using var newest = connection.CreateCommand();
        newest.CommandText = $"SELECT COALESCE(MAX(Id), 0) FROM {Table}";
        newest.CommandTimeout = CommandTimeoutSeconds;
        var max = Convert.ToInt64(await newest.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        if (lastId < 0 || max < lastId)
        {
            lastId = max;
            gaps.Clear();
        }
    }

    /// <summary>Reads and delivers the rows past the last one read, and any skipped ids now committed; true when the batch was full.</summary>
    private async Task<bool> ReadAsync(MySqlConnection connection, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        foreach (var expired in gaps.Where(g => g.Value <= now).Select(g => g.Key).ToList())
        {
            gaps.Remove(expired);
        }

        await using var read = connection.CreateCommand();
        // Skipped ids are all below lastId, so ORDER BY Id delivers them first, then the new rows in order.
        var skipped = gaps.Count == 0 ? "" : $" OR Id IN ({string.Join(',', gaps.Keys.Select(id => id.ToString(CultureInfo.InvariantCulture)))})";
        read.CommandText = $"SELECT Id, Payload FROM {Table} WHERE Id > @last{skipped} ORDER BY Id LIMIT {Batch}";
        read.Parameters.AddWithValue("@last", lastId);
        read.CommandTimeout = CommandTimeoutSeconds;
        var rows = 0;
        await using var reader = await read.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows++;
            var id = reader.GetInt64(0);
            if (id > lastId)
            {
                for (var missing = Math.Max(lastId + 1, id - MaxGaps); missing < id; missing++)
                {
                    gaps[missing] = now + GapWait;
                }

                lastId = id;
            }
            else
            {
                gaps.Remove(id);
            }

            if (!BusMessage.DeliverIfForeign(reader.GetString(1), node, hubs))
            {
                LogMalformed();
            }
        }

        while (gaps.Count > MaxGaps)
        {
            gaps.Remove(gaps.Keys.First());
        }

        return rows == Batch;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reading notifications of other nodes from the MySQL table notifications every {Milliseconds} ms.")]
    private partial void LogListening(double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the connection reading MySQL notifications; retrying in {Seconds} s.")]
    private partial void LogListenFailed(Exception e, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not send a notification to the other nodes; their clients catch up at their next sync.")]
    private partial void LogPublishFailed(Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A {Type} notification is too large for the MySQL notifications table and was not sent to other nodes.")]
    private partial void LogTooLarge(PushType type);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a malformed row in the MySQL notifications table.")]
    private partial void LogMalformed();
}
