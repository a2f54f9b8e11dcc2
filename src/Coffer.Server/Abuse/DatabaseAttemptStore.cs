using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Coffer.Server.Data;
using Coffer.Server.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using MySql.Data.MySqlClient;

namespace Coffer.Server.Abuse;

/// <summary>
/// <see cref="IAttemptStore"/> over the <c>attempt_counters</c> table. Each count is one atomic
/// <c>INSERT … ON CONFLICT … DO UPDATE … RETURNING</c> (SQLite ≥ 3.35 and PostgreSQL alike; on MySQL and MariaDB
/// <c>INSERT … ON DUPLICATE KEY UPDATE</c> and a read-back of the row it locked, in one transaction), so concurrent
/// requests on any number of nodes never lose a hit and no decision rests on process memory.
/// Keys are stored as HMAC-SHA256 under a key derived from the JWT signing key, which every node already shares.
/// Expired rows are deleted whenever a hit opens a new window: cheap (indexed on <c>WindowEnds</c>), and each row
/// is deleted once, so the table holds only the current windows and the active locks.
/// </summary>
public sealed class DatabaseAttemptStore(CofferDb db, TimeProvider time, TokenService tokens) : IAttemptStore
{
    // Identifiers quoted as EF creates them (in backquotes on MySQL, where a double quote opens a string); both SQLite and PostgreSQL read the table's own name inside DO UPDATE
    // as the existing row.
    private const string CountSql = """
        INSERT INTO attempt_counters ("Key", "Count", "WindowEnds", "LockedUntil") VALUES (@key, 1, @ends, NULL)
        ON CONFLICT ("Key") DO UPDATE SET
            "Count" = CASE WHEN attempt_counters."WindowEnds" <= @now THEN 1 ELSE attempt_counters."Count" + 1 END,
            "WindowEnds" = CASE WHEN attempt_counters."WindowEnds" <= @now THEN @ends ELSE attempt_counters."WindowEnds" END
        RETURNING "Count", "WindowEnds"
        """;

    // MySQL has neither ON CONFLICT nor (before MariaDB 10.5, and never with ON DUPLICATE KEY UPDATE) RETURNING.
    // ON DUPLICATE KEY UPDATE assigns left to right and a later assignment reads the earlier one's new value, so
    // "Count" is set first: both CASEs then read the old "WindowEnds". The upsert keeps the row's exclusive lock until
    // the transaction ends, so the read-back sees this hit's count and no other.
    private const string MySqlCountSql = """
        INSERT INTO attempt_counters (`Key`, `Count`, `WindowEnds`, `LockedUntil`) VALUES (@key, 1, @ends, NULL)
        ON DUPLICATE KEY UPDATE
            `Count` = CASE WHEN `WindowEnds` <= @now THEN 1 ELSE `Count` + 1 END,
            `WindowEnds` = CASE WHEN `WindowEnds` <= @now THEN @ends ELSE `WindowEnds` END
        """;

    private const string MySqlReadSql = "SELECT `Count`, `WindowEnds` FROM attempt_counters WHERE `Key` = @key";

    // InnoDB may pick one of two concurrent upserts of a new key as a deadlock victim (ER_LOCK_DEADLOCK, 1213): the
    // victim's transaction is rolled back whole, so it is simply run again.
    private const int MySqlDeadlockRetries = 5;

    private const int MySqlDeadlock = 1213;

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

        return await ExecuteAsync(db.Dialect(LockSql), ct, ("key", hashed), ("until", now + (long)lockFor.TotalMilliseconds), ("now", now), ("threshold", threshold)) == 1;
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
        if (db is MySqlCofferDb)
        {
            return await MySqlCountAsync(hashed, now, window, ct);
        }

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

    private async Task<(int Count, long WindowEnds)> MySqlCountAsync(string hashed, long now, TimeSpan window, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            try
            {
                var parameters = new (string, object)[] { ("key", hashed), ("now", now), ("ends", now + (long)window.TotalMilliseconds) };
                await using (var upsert = Command(MySqlCountSql, parameters))
                {
                    await upsert.ExecuteNonQueryAsync(ct);
                }

                (int, long) counted;
                await using (var read = Command(MySqlReadSql, ("key", hashed)))
                await using (var reader = await read.ExecuteReaderAsync(ct))
                {
                    if (!await reader.ReadAsync(ct))
                    {
                        throw new InvalidOperationException("The attempt counter upsert left no row.");
                    }

                    counted = (Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture));
                }

                await transaction.CommitAsync(ct);
                return counted;
            }
            catch (MySqlException e) when (e.Number == MySqlDeadlock && attempt < MySqlDeadlockRetries)
            {
                // The server already rolled the transaction back; the next pass starts a new one.
            }
        }
    }

    private async Task PurgeExpiredAsync(long now, CancellationToken ct)
    {
        try
        {
            await db.Set<AttemptCounter>()
                .Where(c => c.WindowEnds <= now && (c.LockedUntil == null || c.LockedUntil <= now))
                .ExecuteDeleteAsync(ct);
        }
        catch (MySqlException e) when (e.Number == MySqlDeadlock)
        {
            // InnoDB's range locks can make the purge a deadlock victim of a concurrent upsert; the rows it missed are
            // deleted by the next hit that opens a window.
        }
    }

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

    // Plain ADO.NET parameters: the provider maps long, int and string itself, so the same text runs on every provider
    // (MySQL's with its identifiers in backquotes).
    private DbCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
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
