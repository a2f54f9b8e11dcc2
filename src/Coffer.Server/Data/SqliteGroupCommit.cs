using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Data;

/// <summary>
/// Group commit on SQLite: concurrent <see cref="Changes"/> units share one transaction, so one fsync of the
/// write-ahead log (<c>synchronous=FULL</c>, <see cref="SqlitePragmas"/>) covers all of them.
/// <para>
/// One loop owns a write connection of its own. It takes the first ready unit, opens a transaction
/// (<c>BEGIN IMMEDIATE</c>), then runs that unit and every unit that became ready meanwhile one after another, each
/// inside a savepoint: the unit's <see cref="CofferDb"/> is pointed at this connection and transaction for the
/// duration of its work and back at its own afterwards. A unit that throws is rolled back to its savepoint and fails
/// alone; the others go on. Then one <c>COMMIT</c>, and only after it returned is each unit's task completed, so a
/// request is answered only once the fsync covering its write is done (a failed <c>COMMIT</c> fails every unit
/// of the batch). Units run one at a time, in queue order, on one connection: that serial order is what orders
/// audit appends and revision dates on SQLite, a single-writer, single-node database.
/// </para>
/// </summary>
public sealed class SqliteGroupCommit : IAsyncDisposable
{
    /// <summary>Units in one transaction at most, so a steady stream of writers still reaches a COMMIT.</summary>
    public const int MaxBatch = 64;

    private readonly Channel<Unit> queue = Channel.CreateUnbounded<Unit>();
    private readonly Lock sync = new();
    private readonly IServiceProvider services;
    private readonly ILogger<SqliteGroupCommit> logger;
    private Task? loop;
    private SqliteCofferDb? writer;
    private long batches;

    public SqliteGroupCommit(IServiceProvider services, ILogger<SqliteGroupCommit> logger)
    {
        this.services = services;
        this.logger = logger;
    }

    /// <summary>Units waiting for their turn (not counting the one running).</summary>
    public int Waiting => queue.Reader.Count;

    /// <summary>Transactions committed so far (each one fsync of the write-ahead log).</summary>
    public long Batches => Interlocked.Read(ref batches);

    /// <summary>
    /// Runs <paramref name="work"/> with <paramref name="db"/> inside the next batch's transaction, and returns once the
    /// <c>COMMIT</c> covering it returned. Throws what <paramref name="work"/> threw (nothing of it is then saved), or
    /// what the <c>COMMIT</c> threw.
    /// </summary>
    public async Task RunAsync(CofferDb db, Func<CancellationToken, Task> work, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(work);
        ct.ThrowIfCancellationRequested();
        var unit = new Unit(db, work, ct);
        lock (sync)
        {
            loop ??= Task.Run(LoopAsync, CancellationToken.None);
        }

        ObjectDisposedException.ThrowIf(!queue.Writer.TryWrite(unit), this);

        await unit.Done.Task;
    }

    private async Task LoopAsync()
    {
        var batch = new List<Unit>(MaxBatch);
        while (await queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            Unit? failedAtStart = null;
            try
            {
                var write = await OpenAsync();
                await using var transaction = (SqliteTransaction)await write.BeginTransactionAsync();
                while (batch.Count < MaxBatch && queue.Reader.TryRead(out var unit))
                {
                    failedAtStart = unit;
                    if (await RunUnitAsync(write, transaction, unit))
                    {
                        batch.Add(unit);
                    }

                    failedAtStart = null;
                }

                await transaction.CommitAsync();
                Interlocked.Increment(ref batches);
            }
            catch (Exception e)
            {
                // The transaction could not begin or commit: nothing of this batch is saved. The connection may be
                // broken (the file's volume gone), so the next batch opens a fresh one.
                logger.LogWarning(e, "A group commit of {Count} changes failed", batch.Count);
                await CloseAsync();
                failedAtStart?.Done.TrySetException(e);
                foreach (var unit in batch)
                {
                    unit.Done.TrySetException(e);
                }

                continue;
            }

            foreach (var unit in batch)
            {
                unit.Done.TrySetResult();
            }
        }

        await CloseAsync();
    }

    /// <summary>Runs one unit in its savepoint; false when it failed (and was rolled back alone).</summary>
    private static async Task<bool> RunUnitAsync(SqliteConnection write, SqliteTransaction transaction, Unit unit)
    {
        if (unit.Ct.IsCancellationRequested)
        {
            unit.Done.TrySetCanceled(unit.Ct);
            return false;
        }

        const string Savepoint = "coffer_unit";
        await transaction.SaveAsync(Savepoint);
        var database = unit.Db.Database;
        // The context's connection is closed between its queries (EF opens it per query unless a transaction or an
        // explicit open holds it), so it can be pointed elsewhere; the string restores an owned connection of its own.
        var own = database.GetConnectionString();
        var switched = false;
        try
        {
            database.SetDbConnection(write);
            switched = true;
            await database.UseTransactionAsync(transaction);
            await unit.Work(unit.Ct);
            await transaction.ReleaseAsync(Savepoint);
            return true;
        }
        catch (Exception e)
        {
            await transaction.RollbackAsync(Savepoint);
            await transaction.ReleaseAsync(Savepoint);
            unit.Done.TrySetException(e);
            return false;
        }
        finally
        {
            if (switched)
            {
                await database.UseTransactionAsync(null);
                database.SetDbConnection(null);
                database.SetConnectionString(own);
            }
        }
    }

    /// <summary>
    /// The write connection, opened by a context of the loop's own so that EF prepares it as it prepares every
    /// connection of this database (its SQL functions, <see cref="SqlitePragmas"/>).
    /// </summary>
    private async Task<SqliteConnection> OpenAsync()
    {
        if (writer is not null && writer.Database.GetDbConnection() is SqliteConnection { State: System.Data.ConnectionState.Open } open)
        {
            return open;
        }

        await CloseAsync();
        writer = new SqliteCofferDb(services.GetRequiredService<DbContextOptions<SqliteCofferDb>>());
        await writer.Database.OpenConnectionAsync();
        return (SqliteConnection)writer.Database.GetDbConnection();
    }

    private async Task CloseAsync()
    {
        if (writer is not null)
        {
            await writer.DisposeAsync();
            writer = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        if (loop is not null)
        {
            await loop;
        }
    }

    private sealed record Unit(CofferDb Db, Func<CancellationToken, Task> Work, CancellationToken Ct)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
