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
    /// <summary>Seconds a commit waits for one key before it fails (and its request answers 503).</summary>
    public const int LockWaitSeconds = 30;

    // MySQL has no transaction-scoped advisory lock: GET_LOCK belongs to the session, so ReleaseKeysAsync gives the keys
    // back once the transaction ended, before the connection returns to the pool (and the server releases them when a
    // node dies). Taken one by one in ascending order (the order every node uses), so two commits never hold one each
    // of two keys. A name is "coffer:" and the key's id, within MySQL's 64 characters.
    public override async Task LockKeysAsync(IReadOnlyList<Guid> keys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var key in keys.Distinct().Order())
        {
            var name = LockName(key);
            var taken = await Database.SqlQuery<long?>($"SELECT GET_LOCK({name}, {LockWaitSeconds}) AS `Value`").SingleAsync(ct);
            if (taken != 1)
            {
                throw new TimeoutException($"The commit lock {name} was not free within {LockWaitSeconds} s.");
            }
        }
    }

    public override async Task ReleaseKeysAsync(CancellationToken ct)
    {
        await Database.ExecuteSqlRawAsync("DO RELEASE_ALL_LOCKS()", ct);
    }

    private static string LockName(Guid key) => "coffer:" + key.ToString("N");
}
