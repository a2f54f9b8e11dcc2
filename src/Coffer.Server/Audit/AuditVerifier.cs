using System.Data.Common;
using System.Globalization;
using Coffer.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Audit;

/// <summary>
/// The first link that does not check out: <paramref name="Chain"/> (the chain id as stored), the position in it and
/// the event id (<see cref="AuditEvent.Sequence"/>) when known, and why.
/// </summary>
public sealed record BrokenLink(string Chain, long? Position, long? EventId, string Reason);

/// <summary>
/// Result of <see cref="AuditVerifier.VerifyChainsAsync"/>: the events and chains checked before the first break, the
/// first broken link if any, and the checkpoint whose heads were checked (null when there is none yet).
/// </summary>
public sealed record AuditVerification(long Checked, long Chains, BrokenLink? FirstBroken, long? Checkpoint)
{
    public bool Intact => FirstBroken is null;
}

/// <summary>
/// Walks every chain in (chain, position) order on the unique index, reading raw column values, so a row that
/// cannot even be read (a malformed id or date written with raw SQL) is reported as a broken link rather than
/// thrown; memory stays flat for any log size (one streamed query, plus the heads of the checkpoint checked).
/// </summary>
public static class AuditVerifier
{
    private const string Columns = """
        "Sequence", "ChainId", "Position", "Date", "Type", "UserId", "ActingUserId", "DeviceId", "DeviceType", "CipherId",
        "OrganizationId", "CollectionId", "MembershipId", "GroupId", "PolicyId", "IpAddress", "Detail", "PreviousHash", "Hash"
        """;

    /// <summary>The name a broken link in the checkpoints' own chain is reported under.</summary>
    public const string CheckpointChain = "checkpoints";

    /// <summary>
    /// Checks the checkpoints' chain (numbers 1, 2, 3, … without gaps, each linked to the previous one's hash, each
    /// HMAC), then that the heads stored for the newest checkpoint (or for <paramref name="exported"/>, a checkpoint that
    /// left the database, whose HMAC must check out and which the database must hold unchanged) still give its root,
    /// then every chain against those heads (<see cref="VerifyChainsAsync"/>). <paramref name="observed"/>, when given,
    /// receives the head of every chain as the walk found it, for a checkpoint written afterwards.
    /// </summary>
    public static async Task<AuditVerification> VerifyAsync(CofferDb db, AuditChain chain, AuditCheckpoints checkpoints, CheckpointRecord? exported,
        ICollection<AuditCheckpointHead>? observed, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(checkpoints);
        AuditCheckpoint? newest = null;
        AuditCheckpoint? target = null;
        try
        {
            var previous = AuditChain.GenesisHash;
            await foreach (var c in db.AuditCheckpoints.AsNoTracking().OrderBy(c => c.Number).AsAsyncEnumerable().WithCancellation(ct))
            {
                var reason = c.Number != (newest?.Number ?? 0) + 1 ? $"checkpoint {(newest?.Number ?? 0) + 1} is missing"
                    : c.PreviousHash != previous ? "its link to the previous checkpoint does not match"
                    : !AuditChain.SameHash(checkpoints.Seal(CheckpointRecord.Of(c)), c.Hash) ? "its contents do not match its hash"
                    : null;
                if (reason is not null)
                {
                    return new AuditVerification(0, 0, new BrokenLink(CheckpointChain, c.Number, null, reason), null);
                }

                previous = c.Hash;
                newest = c;
                target = exported is not null && c.Number == exported.Number ? c : target;
            }
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or InvalidOperationException)
        {
            return new AuditVerification(0, 0, new BrokenLink(CheckpointChain, newest?.Number + 1, null, "the row cannot be read: " + e.Message), null);
        }

        if (exported is not null)
        {
            var reason = !AuditChain.SameHash(checkpoints.Seal(exported), exported.Hash) ? "the exported checkpoint's HMAC does not match: it was not written by this server, or was altered"
                : target is null ? $"the exported checkpoint {exported.Number} is missing from the database"
                : CheckpointRecord.Of(target) != exported ? $"checkpoint {exported.Number} in the database differs from the exported one"
                : null;
            if (reason is not null)
            {
                return new AuditVerification(0, 0, new BrokenLink(CheckpointChain, exported.Number, null, reason), exported.Number);
            }
        }
        else
        {
            target = newest;
        }

        Dictionary<Guid, AuditCheckpointHead>? heads = null;
        if (target is not null)
        {
            var recorded = await AuditCheckpoints.HeadsAsync(db, target.Number, ct);
            if (AuditCheckpoints.Root(recorded) != target.Root || recorded.Count != target.ChainCount || recorded.Sum(h => h.Position) != target.EventCount)
            {
                return new AuditVerification(0, 0, new BrokenLink(CheckpointChain, target.Number, null, "the chain heads stored for it do not match its root"), target.Number);
            }

            heads = recorded.ToDictionary(h => h.ChainId);
        }

        return await VerifyChainsAsync(db, chain, heads, target?.Number, observed, ct);
    }

    /// <summary>
    /// Checks every chain: positions 1, 2, 3, … without gaps, each link to the previous hash, each event's hash; with
    /// <paramref name="heads"/> (the heads a checkpoint recorded, by chain) also that each recorded head is still
    /// there, unchanged (same event id and hash). The first failure found ends the walk.
    /// </summary>
    public static async Task<AuditVerification> VerifyChainsAsync(CofferDb db, AuditChain chain, IReadOnlyDictionary<Guid, AuditCheckpointHead>? heads, long? checkpoint,
        ICollection<AuditCheckpointHead>? observed, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(chain);
        heads ??= new Dictionary<Guid, AuditCheckpointHead>();
        var seen = new HashSet<Guid>();
        long checkedEvents = 0, chains = 0;
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = db.Dialect($"""SELECT {Columns} FROM audit_events ORDER BY "ChainId", "Position" """);
            await using var reader = await command.ExecuteReaderAsync(ct);
            Guid? current = null;
            long expected = 0;
            var previous = AuditChain.GenesisHash;
            AuditCheckpointHead? recorded = null;
            AuditCheckpointHead? last = null;
            while (await reader.ReadAsync(ct))
            {
                var (e, unreadable) = Read(reader);
                if (unreadable is not null)
                {
                    return Broken(unreadable);
                }

                if (e.ChainId != current)
                {
                    if (current is { } ended && Truncated(ended, expected, recorded) is { } truncated)
                    {
                        return Broken(truncated);
                    }

                    if (last is not null)
                    {
                        observed?.Add(last);
                    }

                    current = e.ChainId;
                    chains++;
                    expected = 1;
                    previous = AuditChain.GenesisHash;
                    recorded = heads.GetValueOrDefault(e.ChainId);
                    seen.Add(e.ChainId);
                }
                else
                {
                    expected++;
                }

                var name = e.ChainId.ToString();
                if (e.Position != expected)
                {
                    return Broken(e.Position > expected
                        ? new BrokenLink(name, expected, null, $"the event at position {expected} is missing")
                        : new BrokenLink(name, e.Position, e.Sequence, "its position repeats"));
                }

                if (e.ChainId == AuditChain.LegacyChain && e.Position != e.Sequence)
                {
                    return Broken(new BrokenLink(name, e.Position, e.Sequence, "its position does not match its sequence in the legacy chain"));
                }

                if (e.PreviousHash != previous)
                {
                    return Broken(new BrokenLink(name, e.Position, e.Sequence, "its link to the previous event does not match"));
                }

                if (!AuditChain.SameHash(chain.Compute(e, previous), e.Hash))
                {
                    return Broken(new BrokenLink(name, e.Position, e.Sequence, "its contents do not match its hash"));
                }

                if (recorded is { } head && head.Position == e.Position && (head.EventId != e.Sequence || !AuditChain.SameHash(head.Hash, e.Hash)))
                {
                    return Broken(new BrokenLink(name, e.Position, e.Sequence, $"it is not the event checkpoint {checkpoint} recorded as this chain's head"));
                }

                previous = e.Hash;
                last = new AuditCheckpointHead { ChainId = e.ChainId, Position = e.Position, EventId = e.Sequence, Hash = e.Hash };
                checkedEvents++;
            }

            if (current is { } final && Truncated(final, expected, recorded) is { } end)
            {
                return Broken(end);
            }

            if (last is not null)
            {
                observed?.Add(last);
            }

            foreach (var (id, head) in heads.OrderBy(h => h.Key.ToString(), StringComparer.Ordinal))
            {
                if (!seen.Contains(id))
                {
                    return Broken(new BrokenLink(id.ToString(), head.Position, head.EventId,
                        $"the chain is gone, though checkpoint {checkpoint} recorded it up to position {head.Position}"));
                }
            }

            return new AuditVerification(checkedEvents, chains, null, checkpoint);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        AuditVerification Broken(BrokenLink link) => new(checkedEvents, chains, link, checkpoint);

        BrokenLink? Truncated(Guid id, long lastPosition, AuditCheckpointHead? head) =>
            head is { } h && h.Position > lastPosition
                ? new BrokenLink(id.ToString(), lastPosition + 1, null,
                    $"the chain ends at position {lastPosition}, but checkpoint {checkpoint} recorded it up to position {h.Position} (event {h.EventId}): its newest events were removed")
                : null;
    }

    /// <summary>One row from raw column values, or the broken link that names what could not be read.</summary>
    private static (AuditEvent Event, BrokenLink? Unreadable) Read(DbDataReader reader)
    {
        var e = new AuditEvent { PreviousHash = "", Hash = "" };
        var raw = reader.IsDBNull(1) ? "(null)" : Text(reader.GetValue(1));
        var sequence = Integer(reader, 0);
        var position = Integer(reader, 2);
        BrokenLink Unreadable(string column, string kind) =>
            new(raw, position, sequence, $"the row cannot be read: its {column} is not {kind}");

        if (sequence is null)
        {
            return (e, Unreadable("Sequence", "an integer"));
        }

        if (Identifier(reader, 1) is not { } chainId)
        {
            return (e, Unreadable("ChainId", "a GUID"));
        }

        if (position is null)
        {
            return (e, Unreadable("Position", "an integer"));
        }

        e.Sequence = sequence.Value;
        e.ChainId = chainId;
        e.Position = position.Value;
        if (Date(reader, 3) is not { } date)
        {
            return (e, Unreadable("Date", "a date"));
        }

        e.Date = date;
        if (Integer(reader, 4) is not { } type || type is < int.MinValue or > int.MaxValue)
        {
            return (e, Unreadable("Type", "an integer"));
        }

        e.Type = (EventType)(int)type;
        string[] ids = ["UserId", "ActingUserId", "DeviceId"];
        var guids = new Guid?[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            if (!OptionalIdentifier(reader, 5 + i, out guids[i]))
            {
                return (e, Unreadable(ids[i], "a GUID"));
            }
        }

        (e.UserId, e.ActingUserId, e.DeviceId) = (guids[0], guids[1], guids[2]);
        if (!reader.IsDBNull(8))
        {
            if (Integer(reader, 8) is not { } deviceType || deviceType is < int.MinValue or > int.MaxValue)
            {
                return (e, Unreadable("DeviceType", "an integer"));
            }

            e.DeviceType = (int)deviceType;
        }

        string[] more = ["CipherId", "OrganizationId", "CollectionId", "MembershipId", "GroupId", "PolicyId"];
        var values = new Guid?[more.Length];
        for (var i = 0; i < more.Length; i++)
        {
            if (!OptionalIdentifier(reader, 9 + i, out values[i]))
            {
                return (e, Unreadable(more[i], "a GUID"));
            }
        }

        (e.CipherId, e.OrganizationId, e.CollectionId, e.MembershipId, e.GroupId, e.PolicyId) = (values[0], values[1], values[2], values[3], values[4], values[5]);
        e.IpAddress = reader.IsDBNull(15) ? null : Text(reader.GetValue(15));
        e.Detail = reader.IsDBNull(16) ? null : Text(reader.GetValue(16));
        if (reader.IsDBNull(17) || reader.IsDBNull(18))
        {
            return (e, Unreadable("PreviousHash or Hash", "text"));
        }

        e.PreviousHash = Text(reader.GetValue(17));
        e.Hash = Text(reader.GetValue(18));
        return (e, null);
    }

    private static string Text(object value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";

    private static long? Integer(DbDataReader reader, int i) =>
        reader.IsDBNull(i) ? null : reader.GetValue(i) switch
        {
            long l => l,
            int n => n,
            short s => s,
            _ => null,
        };

    private static Guid? Identifier(DbDataReader reader, int i) =>
        reader.IsDBNull(i) ? null : reader.GetValue(i) switch
        {
            Guid g => g,
            string s when Guid.TryParseExact(s, "D", out var g) => g,
            _ => null,
        };

    private static bool OptionalIdentifier(DbDataReader reader, int i, out Guid? value)
    {
        value = null;
        if (reader.IsDBNull(i))
        {
            return true;
        }

        value = Identifier(reader, i);
        return value is not null;
    }

    /// <summary>SQLite keeps dates as text that EF Core writes and reads back with the invariant culture; PostgreSQL as timestamptz.</summary>
    private static DateTime? Date(DbDataReader reader, int i) =>
        reader.IsDBNull(i) ? null : reader.GetValue(i) switch
        {
            DateTime d => DateTime.SpecifyKind(d, DateTimeKind.Utc),
            string s when DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var d) => d,
            _ => null,
        };
}
