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

    /// <summary>
    /// Checks every chain: positions 1, 2, 3, … without gaps, each link to the previous hash, each event's hash; with
    /// <paramref name="heads"/> (the heads a checkpoint recorded, by chain) also that each recorded head is still
    /// there, unchanged (same event id and hash). The first failure found ends the walk.
    /// </summary>
    public static async Task<AuditVerification> VerifyChainsAsync(CofferDb db, AuditChain chain, IReadOnlyDictionary<Guid, AuditCheckpointHead>? heads, long? checkpoint, CancellationToken ct)
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
            command.CommandText = $"""SELECT {Columns} FROM audit_events ORDER BY "ChainId", "Position" """;
            await using var reader = await command.ExecuteReaderAsync(ct);
            Guid? current = null;
            long expected = 0;
            var previous = AuditChain.GenesisHash;
            AuditCheckpointHead? recorded = null;
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
                checkedEvents++;
            }

            if (current is { } last && Truncated(last, expected, recorded) is { } end)
            {
                return Broken(end);
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
            string s when DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) => DateTime.SpecifyKind(d, DateTimeKind.Utc),
            _ => null,
        };
}
