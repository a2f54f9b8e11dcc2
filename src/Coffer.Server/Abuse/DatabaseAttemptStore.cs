using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Coffer.Server.Data;
using Coffer.Server.Identity;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Abuse;

/// <summary>
/// <see cref="IAttemptStore"/> over the <c>attempt_counters</c> table. Each count is one atomic
/// <c>INSERT … ON CONFLICT … DO UPDATE … RETURNING</c> (SQLite ≥ 3.35 and PostgreSQL alike), so concurrent
/// requests on any number of nodes never lose a hit and no decision rests on process memory.
/// Keys are stored as HMAC-SHA256 under a key derived from the JWT signing key, which every node already shares.
/// Expired rows are deleted whenever a hit opens a new window: cheap (indexed on <c>WindowEnds</c>), and each row
/// is deleted once, so the table holds only the current windows and the active locks.
/// </summary>
public sealed class DatabaseAttemptStore(CofferDb db, TimeProvider time, TokenService tokens) : IAttemptStore
{
    // Identifiers quoted as EF creates them; both SQLite and PostgreSQL read the table's own name inside DO UPDATE
    // as the existing row.
    private const string CountSql = """
        INSERT INTO attempt_counters ("Key", "Count", "WindowEnds", "LockedUntil") VALUES (@key, 1, @ends, NULL)
        ON CONFLICT ("Key") DO UPDATE SET
            "Count" = CASE WHEN attempt_counters."WindowEnds" <= @now THEN 1 ELSE attempt_counters."Count" + 1 END,
            "WindowEnds" = CASE WHEN attempt_counters."WindowEnds" <= @now THEN @ends ELSE attempt_counters."WindowEnds" END
        RETURNING "Count", "WindowEnds"
        """;

    // Only the call that crosses the threshold while unlocked matches, so exactly one caller learns "locked now".
    private const string LockSql = """
        UPDATE attempt_counters SET "LockedUntil" = @until, "Count" = 0, "WindowEnds" = @now
        WHERE "Key" = @key AND "Count" >= @threshold AND ("LockedUntil" IS NULL OR "LockedUntil" <= @now)
        """;

    private readonly byte[] hashKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, tokens.SigningKey, 32, info: "coffer attempt counters"u8.ToArray());

    public async Task<AttemptResult> HitAsync(string key, int limit, TimeSpan window, CancellationToken ct = default)
    {
        var now = NowMs();
        var (count, windowEnds) = await CountAsync(Hash(key), now, window, ct);
        if (count == 1)
        {
            await PurgeExpiredAsync(now, ct);
        }

        var retryAfter = TimeSpan.FromMilliseconds(Math.Max(0, windowEnds - now));
        return new AttemptResult(count <= limit, count, retryAfter);
    }

    public async Task<bool> RecordFailureAsync(string key, int threshold, TimeSpan window, TimeSpan lockFor, CancellationToken ct = default)
    {
        var now = NowMs();
        var hashed = Hash(key);
        var (count, _) = await CountAsync(hashed, now, window, ct);
        if (count < threshold)
        {
            return false;
        }

        return await ExecuteAsync(LockSql, ct, ("key", hashed), ("until", now + (long)lockFor.TotalMilliseconds), ("now", now), ("threshold", threshold)) == 1;
    }

    public Task<bool> IsLockedAsync(string key, CancellationToken ct = default)
    {
        var hashed = Hash(key);
        var now = NowMs();
        return db.Set<AttemptCounter>().AsNoTracking().AnyAsync(c => c.Key == hashed && c.LockedUntil > now, ct);
    }

    public Task ResetAsync(string key, CancellationToken ct = default)
    {
        var hashed = Hash(key);
        return db.Set<AttemptCounter>().Where(c => c.Key == hashed).ExecuteDeleteAsync(ct);
    }

    private async Task<(int Count, long WindowEnds)> CountAsync(string hashed, long now, TimeSpan window, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = Command(CountSql, ("key", hashed), ("now", now), ("ends", now + (long)window.TotalMilliseconds));
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                throw new InvalidOperationException("The attempt counter upsert returned no row.");
            }

            return (Convert.ToInt32(reader.GetValue(0)), Convert.ToInt64(reader.GetValue(1)));
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private Task<int> PurgeExpiredAsync(long now, CancellationToken ct) => db.Set<AttemptCounter>()
        .Where(c => c.WindowEnds <= now && (c.LockedUntil == null || c.LockedUntil <= now))
        .ExecuteDeleteAsync(ct);

    private async Task<int> ExecuteAsync(string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = Command(sql, parameters);
            return await command.ExecuteNonQueryAsync(ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    // Plain ADO.NET parameters: the provider maps long, int and string itself, so the same text runs on SQLite and PostgreSQL.
    private DbCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private long NowMs() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private string Hash(string key) => Convert.ToHexStringLower(HMACSHA256.HashData(hashKey, Encoding.UTF8.GetBytes(key)));
}
