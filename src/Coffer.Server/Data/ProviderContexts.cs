using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Data;

/// <summary>The SQLite database in the data folder (the default); migrations in <c>Migrations/Sqlite</c>.</summary>
public sealed class SqliteCofferDb(DbContextOptions<SqliteCofferDb> options) : CofferDb(options)
{
    // SQLite admits one writer per file: a write transaction already excludes every other node's, and in this process
    // commits run one at a time through SqliteGroupCommit.
    public override Task LockKeysAsync(IReadOnlyList<Guid> keys, CancellationToken ct) => Task.CompletedTask;
}

/// <summary>A PostgreSQL database shared by any number of nodes; migrations in <c>Migrations/Postgres</c>.</summary>
public sealed class PostgresCofferDb(DbContextOptions<PostgresCofferDb> options) : CofferDb(options)
{
    /// <summary>The advisory lock key nodes hold while they migrate ("COFFERMG"; see DatabaseSetup.MigrateCofferDatabaseAsync).</summary>
    public const long MigrationLockKey = 0x434F464645524D47;

    // Transaction-scoped advisory locks: released by COMMIT or ROLLBACK, and by the server when a node dies
    // mid-transaction, so a killed node never leaves the others waiting. Taken one by one in ascending key order
    // (the order every node uses), so two commits never hold one each of two keys.
    public override async Task LockKeysAsync(IReadOnlyList<Guid> keys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var key in keys.Select(AdvisoryKey).Distinct().Order())
        {
            await Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({key})", ct);
        }
    }

    /// <summary>
    /// The 64-bit advisory lock key of an account, organization or chain id: its first eight bytes. Ids are random
    /// (version 4), so two keys rarely share a lock, and sharing one only makes two commits wait for each other.
    /// </summary>
    public static long AdvisoryKey(Guid id) => BitConverter.ToInt64(id.ToByteArray(), 0);
}

/// <summary>A MySQL or MariaDB database shared by any number of nodes; migrations in <c>Migrations/MySql</c>.</summary>
public sealed class MySqlCofferDb(DbContextOptions<MySqlCofferDb> options) : CofferDb(options)
{
    /// <summary>
    /// Seconds a commit waits for one key before it fails with a <see cref="TimeoutException"/> (and its request answers
    /// 503). Below the 30 s command timeout on purpose: when the server's answer arrives with no time left, Connector/NET
    /// throws an ArgumentOutOfRangeException mid-read instead of a timeout, and the connection's stream is left unusable.
    /// </summary>
    public const int LockWaitSeconds = 20;

    // MySQL has no transaction-scoped advisory lock: GET_LOCK belongs to the session, so ReleaseKeysAsync gives the keys
    // back once the transaction ended, before the connection returns to the pool (and the server releases them when a
    // node dies). Taken one by one in ascending order (the order every node uses), so two commits never hold one each
    // of two keys.
    public override async Task LockKeysAsync(IReadOnlyList<Guid> keys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var database = Database.GetDbConnection().Database;
        foreach (var key in keys.Distinct().Order())
        {
            var name = LockName(database, key.ToString("N"));
            var taken = await Database.SqlQuery<long?>($"SELECT GET_LOCK({name}, {LockWaitSeconds}) AS `Value`").SingleAsync(ct);
            if (taken != 1)
            {
                throw new TimeoutException($"The commit lock {name} was not free within {LockWaitSeconds} s.");
            }
        }
    }

    public override async Task ReleaseKeysAsync(CancellationToken ct)
    {
        try
        {
            await Database.ExecuteSqlRawAsync("DO RELEASE_ALL_LOCKS()", ct);
        }
        catch (MySql.Data.MySqlClient.MySqlException)
        {
            // Most likely the connection broke, and the server released its locks with it. Should it still be open, it
            // must not go back to the pool holding keys: the pool is cleared, so it is closed instead of reused.
            MySql.Data.MySqlClient.MySqlConnection.ClearPool((MySql.Data.MySqlClient.MySqlConnection)Database.GetDbConnection());
        }
    }

    public override string Dialect(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        return sql.Replace('"', '`');
    }

    /// <summary>
    /// The named lock (<c>GET_LOCK</c>) for <paramref name="purpose"/> in <paramref name="database"/>: "coffer:", the
    /// first 16 hex digits of SHA-256 of the database name, ":" and the purpose (a key's 32 hex digits, "migrations",
    /// "background"), at most 64 characters for a purpose of up to 40. Named locks belong to the whole MySQL server,
    /// not to a database, so without the database's part two Coffer installations on one server (or two test databases)
    /// would wait on each other's commits and share one background run.
    /// </summary>
    public static string LockName(string database, string purpose) =>
        "coffer:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(database ?? "")))[..16] + ":" + purpose;
}
