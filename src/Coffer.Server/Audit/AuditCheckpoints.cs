using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coffer.Server.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coffer.Server.Audit;

/// <summary>
/// What leaves the database of checkpoint <see cref="Number"/>: the log line, the JSON line appended to
/// <c>Coffer:Audit:CheckpointFile</c> and the JSON body POSTed to <c>Coffer:Audit:CheckpointUrl</c> (camelCase names,
/// <see cref="Date"/> in ISO 8601 UTC, hashes in lower-case hex). With the server's key, <see cref="Hash"/> can be
/// recomputed from the other fields alone (<c>coffer-server audit verify --checkpoint FILE</c>).
/// </summary>
public sealed record CheckpointRecord(long Number, DateTime Date, long Chains, long Events, string Root, string PreviousHash, string Hash)
{
    public static CheckpointRecord Of(AuditCheckpoint c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new(c.Number, c.Date, c.ChainCount, c.EventCount, c.Root, c.PreviousHash, c.Hash);
    }
}

/// <summary>
/// Writes checkpoints of the audit log and exports them. A checkpoint records the head of every chain, a root hash
/// over those heads, the previous checkpoint's hash, and an HMAC over all of it with a key derived from the signing
/// key (HKDF info <c>coffer audit checkpoint</c>, distinct from the chain's). Written by <see cref="AuditCheckpointJob"/>
/// when a chain moved, and by <c>coffer-server audit verify</c> once everything verified. A checkpoint never blesses
/// a loss: it is refused when a chain is behind, lacks, or holds another event at, the head the previous checkpoint
/// recorded.
/// </summary>
public sealed partial class AuditCheckpoints(AuditChain chain, TimeProvider time, IOptions<ServerOptions> options, IHttpClientFactory http, ILogger<AuditCheckpoints> logger) : IDisposable
{
    /// <summary>The name of the HTTP client that POSTs checkpoints.</summary>
    public const string HttpClientName = "audit-checkpoints";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly SemaphoreSlim exporting = new(1, 1);

    // The first checkpoint number not yet exported to the file and to the URL: a failed export is retried by the next
    // run (from memory; after a restart, export starts again with the next checkpoint written).
    private long? fileNext;
    private long? urlNext;

    /// <summary>Hex SHA-256 over the heads sorted by chain id, one line <c>chain position eventId hash</c> each.</summary>
    public static string Root(IEnumerable<AuditCheckpointHead> heads)
    {
        ArgumentNullException.ThrowIfNull(heads);
        var text = new StringBuilder();
        foreach (var h in heads.OrderBy(h => h.ChainId.ToString(), StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"{h.ChainId} {h.Position} {h.EventId} {h.Hash}\n");
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>The HMAC of a checkpoint's fields (hex).</summary>
    public string Seal(CheckpointRecord c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return AuditChain.Mac(chain.CheckpointKey, string.Join('\n', "coffer audit checkpoint v1",
            c.Number.ToString(CultureInfo.InvariantCulture), c.Date.Ticks.ToString(CultureInfo.InvariantCulture),
            c.Chains.ToString(CultureInfo.InvariantCulture), c.Events.ToString(CultureInfo.InvariantCulture), c.Root, c.PreviousHash));
    }

    /// <summary>The head of every chain as checkpoint <paramref name="number"/> recorded it: per chain its row with the largest number up to it.</summary>
    public static Task<List<AuditCheckpointHead>> HeadsAsync(CofferDb db, long number, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.AuditCheckpointHeads.AsNoTracking()
            .Where(h => h.CheckpointNumber == db.AuditCheckpointHeads.Where(x => x.ChainId == h.ChainId && x.CheckpointNumber <= number).Max(x => x.CheckpointNumber))
            .ToListAsync(ct);
    }

    /// <summary>The current head of every chain, read in one statement (one consistent snapshot on both providers).</summary>
    public static Task<List<AuditCheckpointHead>> CurrentHeadsAsync(CofferDb db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var heads = db.AuditEvents.GroupBy(e => e.ChainId).Select(g => new { ChainId = g.Key, Position = g.Max(e => e.Position) });
        return db.AuditEvents.AsNoTracking()
            .Join(heads, e => new { e.ChainId, e.Position }, h => new { h.ChainId, h.Position }, (e, _) => e)
            .Select(e => new AuditCheckpointHead { ChainId = e.ChainId, Position = e.Position, EventId = e.Sequence, Hash = e.Hash })
            .ToListAsync(ct);
    }

    /// <summary>
    /// Writes the next checkpoint over <paramref name="heads"/> (the heads <c>audit verify</c> just verified), or over the
    /// current heads when null, if any chain moved since the newest checkpoint; then exports it. Answers the checkpoint
    /// written (null when nothing moved), or the reason it was refused.
    /// </summary>
    public async Task<(AuditCheckpoint? Written, string? Refusal)> WriteAsync(CofferDb db, IReadOnlyCollection<AuditCheckpointHead>? heads, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var newest = await db.AuditCheckpoints.AsNoTracking().OrderByDescending(c => c.Number).FirstOrDefaultAsync(ct);
        var recorded = newest is null ? [] : (await HeadsAsync(db, newest.Number, ct)).ToDictionary(h => h.ChainId);
        heads ??= await CurrentHeadsAsync(db, ct);
        var changed = new List<AuditCheckpointHead>();
        foreach (var head in heads)
        {
            if (!recorded.TryGetValue(head.ChainId, out var before))
            {
                changed.Add(head);
                continue;
            }

            if (head.Position < before.Position || (head.Position == before.Position && (head.EventId != before.EventId || head.Hash != before.Hash)))
            {
                return (null, $"chain {head.ChainId} is at position {head.Position}, not at or after the head checkpoint {newest!.Number} recorded (position {before.Position}, event {before.EventId})");
            }

            if (head.Position > before.Position)
            {
                var chainId = head.ChainId;
                var position = before.Position;
                var still = await db.AuditEvents.AsNoTracking().Where(e => e.ChainId == chainId && e.Position == position)
                    .Select(e => new { e.Sequence, e.Hash }).FirstOrDefaultAsync(ct);
                if (still is null || still.Sequence != before.EventId || still.Hash != before.Hash)
                {
                    return (null, $"chain {head.ChainId} no longer holds at position {position} the event checkpoint {newest!.Number} recorded (event {before.EventId})");
                }

                changed.Add(head);
            }
        }

        var present = heads.Select(h => h.ChainId).ToHashSet();
        foreach (var gone in recorded.Values.Where(h => !present.Contains(h.ChainId)))
        {
            return (null, $"chain {gone.ChainId} is gone, though checkpoint {newest!.Number} recorded it up to position {gone.Position}");
        }

        if (changed.Count == 0)
        {
            // Nothing new to record; exports that failed before are retried now.
            await ExportAsync(db, null, ct);
            return (null, null);
        }

        foreach (var head in changed)
        {
            recorded[head.ChainId] = head;
        }

        var record = new CheckpointRecord((newest?.Number ?? 0) + 1, Data.StorageClock.Truncate(time.GetUtcNow()).UtcDateTime, recorded.Count,
            recorded.Values.Sum(h => h.Position), Root(recorded.Values), newest?.Hash ?? AuditChain.GenesisHash, "");
        record = record with { Hash = Seal(record) };
        var checkpoint = new AuditCheckpoint
        {
            Number = record.Number,
            Date = record.Date,
            ChainCount = record.Chains,
            EventCount = record.Events,
            Root = record.Root,
            PreviousHash = record.PreviousHash,
            Hash = record.Hash,
        };
        db.AuditCheckpoints.Add(checkpoint);
        foreach (var head in changed)
        {
            db.AuditCheckpointHeads.Add(new AuditCheckpointHead { CheckpointNumber = checkpoint.Number, ChainId = head.ChainId, Position = head.Position, EventId = head.EventId, Hash = head.Hash });
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e)
        {
            // Another node (or an audit verify beside the server) wrote this number first; the next run goes on from it.
            LogRace(e, checkpoint.Number);
            return (null, null);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }

        LogCheckpoint(record.Number, record.Date, record.Chains, record.Events, record.Root, record.Hash);
        await ExportAsync(db, record.Number, ct);
        return (checkpoint, null);
    }

    /// <summary>
    /// Appends to the file and POSTs to the URL every checkpoint from the first not yet exported (or from
    /// <paramref name="written"/> when none is pending; nothing when both are null), in order; a failure is logged and
    /// retried by the next run, and never fails the caller.
    /// </summary>
    private async Task ExportAsync(CofferDb db, long? written, CancellationToken ct)
    {
        var audit = options.Value.Audit;
        await exporting.WaitAsync(ct);
        try
        {
            if (!string.IsNullOrEmpty(audit.CheckpointFile) && (fileNext ?? written) is { } fileFrom)
            {
                fileNext = await ExportToAsync(db, fileFrom, "file", async (line, token) =>
                    await File.AppendAllTextAsync(audit.CheckpointFile, line + "\n", token), ct);
            }

            if (!string.IsNullOrEmpty(audit.CheckpointUrl) && (urlNext ?? written) is { } urlFrom)
            {
                urlNext = await ExportToAsync(db, urlFrom, "URL", async (line, token) =>
                {
                    using var client = http.CreateClient(HttpClientName);
                    using var content = new StringContent(line, Encoding.UTF8, "application/json");
                    using var response = await client.PostAsync(new Uri(audit.CheckpointUrl), content, token);
                    response.EnsureSuccessStatusCode();
                }, ct);
            }
        }
        finally
        {
            exporting.Release();
        }
    }

    private async Task<long> ExportToAsync(CofferDb db, long from, string sink, Func<string, CancellationToken, Task> send, CancellationToken ct)
    {
        var pending = await db.AuditCheckpoints.AsNoTracking().Where(c => c.Number >= from).OrderBy(c => c.Number).Take(100).ToListAsync(ct);
        foreach (var checkpoint in pending)
        {
            try
            {
                await send(JsonSerializer.Serialize(CheckpointRecord.Of(checkpoint), Json), ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                LogExportFailed(e, checkpoint.Number, sink);
                return checkpoint.Number;
            }

            from = checkpoint.Number + 1;
        }

        return from;
    }

    /// <summary>Parses one exported line (the last non-empty line of a checkpoint file); null when it is not one.</summary>
    public static CheckpointRecord? Parse(string line)
    {
        try
        {
            return JsonSerializer.Deserialize<CheckpointRecord>(line, Json) is { Root: not null, PreviousHash: not null, Hash: not null } record
                ? record with { Date = DateTime.SpecifyKind(record.Date.ToUniversalTime(), DateTimeKind.Utc) }
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose() => exporting.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit checkpoint {Number} at {Date:o}: {Chains} chains, {Events} events, root {Root}, hash {Hash}.")]
    private partial void LogCheckpoint(long number, DateTime date, long chains, long events, string root, string hash);

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit checkpoint {Number} was written by another process at the same time.")]
    private partial void LogRace(Exception e, long number);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit checkpoint {Number} could not be exported to the {Sink}; retrying with the next run.")]
    private partial void LogExportFailed(Exception e, long number, string sink);
}
