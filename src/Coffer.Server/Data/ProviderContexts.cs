using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Data;

/// <summary>The SQLite database in the data folder (the default); migrations in <c>Migrations/Sqlite</c>.</summary>
public sealed class SqliteCofferDb(DbContextOptions<SqliteCofferDb> options) : CofferDb(options)
{
    // SQLite admits one writer per file, and within the process the WriteGate already orders commits.
    public override Task SerializeCommitsAsync(CancellationToken ct) => Task.CompletedTask;
}

/// <summary>A PostgreSQL database shared by any number of nodes; migrations in <c>Migrations/Postgres</c>.</summary>
public sealed class PostgresCofferDb(DbContextOptions<PostgresCofferDb> options) : CofferDb(options)
{
    /// <summary>The advisory lock key of commits: any constant no other lock of this database uses ("COFFER01").</summary>
    public const long CommitLockKey = 0x434F464645523031;

    /// <summary>The advisory lock key nodes hold while they migrate ("COFFERMG"; see DatabaseSetup.MigrateCofferDatabaseAsync).</summary>
    public const long MigrationLockKey = 0x434F464645524D47;

    // A transaction-scoped advisory lock: released by COMMIT or ROLLBACK, and by the server when a node dies
    // mid-transaction, so a killed node never leaves the others waiting.
    public override Task SerializeCommitsAsync(CancellationToken ct) =>
        Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({CommitLockKey})", ct);
}
