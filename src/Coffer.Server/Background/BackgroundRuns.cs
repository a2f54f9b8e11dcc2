using System.Data.Common;
using System.Globalization;
using Coffer.Server.Admin;
using Coffer.Server.Data;
using Coffer.Server.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MySql.Data.MySqlClient;
using Npgsql;

namespace Coffer.Server.Background;

/// <summary>Why a run starts: the one at start, a scheduled one, or the retry of this node's failed run.</summary>
public enum RunKind
{
    /// <summary>At start. On SQLite (one node) always done; on PostgreSQL it claims the current slot like a scheduled run.</summary>
    AtStart,

    /// <summary>At a boundary of the interval: done by the node that claims the slot first.</summary>
    Scheduled,

    /// <summary>This node's run failed; the slot is already its own.</summary>
    Retry,
}

/// <summary>What one run removed, per job.</summary>
public sealed record BackgroundReport(
    int ExpiredSends, int TrashedItems, int UnfinishedAttachments, int UnfinishedSends,
    int RefreshTokens, int RememberTokens, int OrphanBlobs, int StagedBlobs, int WebAuthnChallenges, int EmailCodes, int Notifications)
{
    /// <summary>The counts under the names of the <c>job</c> tag of <c>coffer.background.removed</c>.</summary>
    public IEnumerable<(string Job, int Count)> Counts() =>
    [
        ("expired_sends", ExpiredSends), ("trash", TrashedItems), ("unfinished_attachments", UnfinishedAttachments),
        ("unfinished_sends", UnfinishedSends), ("refresh_tokens", RefreshTokens), ("remember_tokens", RememberTokens),
        ("orphan_blobs", OrphanBlobs), ("staged_blobs", StagedBlobs), ("webauthn_challenges", WebAuthnChallenges),
        ("email_codes", EmailCodes), ("notifications", Notifications),
    ];
}

/// <summary>
/// One background run at a time in the cluster, and each run once. Time is cut into slots of
/// <see cref="BackgroundOptions.IntervalMinutes"/> counted from the Unix epoch; a node runs a slot only after claiming
/// it in the database (a conditional update of the setting <c>background.slot</c> from the last slot to this one, which
/// one node alone wins), and only while it holds the PostgreSQL session advisory lock <see cref="LockKey"/>
/// (<c>pg_try_advisory_lock</c>; on MySQL the named lock <see cref="LockPurpose"/> of its database: a node whose run outlasts the interval
/// is not joined by another; the database server releases it if the node dies). SQLite is one node: its run at start is always done (it removes what the previous process
/// left), and within the process runs never overlap.
/// </summary>
public sealed partial class BackgroundRuns(IServiceProvider services, IOptions<ServerOptions> options, TimeProvider time, CofferMetrics metrics,
    ILogger<BackgroundRuns> logger) : IDisposable
{
    /// <summary>The advisory lock key of background runs ("COFFERBG"), distinct from the commit and migration locks.</summary>
    public const long LockKey = 0x434F464645524247;

    /// <summary>The purpose of the MySQL named lock a run holds (<see cref="MySqlCofferDb.LockName"/>), as <see cref="LockKey"/> on PostgreSQL.</summary>
    public const string LockPurpose = "background";

    /// <summary>The <see cref="ServerSetting"/> holding the last claimed slot number.</summary>
    public const string SlotSetting = "background.slot";

    private readonly SemaphoreSlim local = new(1, 1);
    private readonly TaskCompletionSource firstRun = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly DateTime started = time.GetUtcNow().UtcDateTime;

    private BackgroundOptions Settings => options.Value.Background;

    /// <summary>Completes when this node's first run (the one at start) has ended, done, skipped or failed.</summary>
    public Task FirstRun => firstRun.Task;

    /// <summary>
    /// Runs every job once, unless another node holds the lock or has claimed this slot (then null, counted as
    /// <c>skipped</c>). Logs the counts and adds them to the metrics.
    /// </summary>
    /// <exception cref="Exception">Whatever failed (database, disk); counted as <c>failed</c>, for the caller to retry.</exception>
    public async Task<BackgroundReport?> RunAsync(RunKind kind, CancellationToken ct)
    {
        await local.WaitAsync(ct);
        try
        {
            await using var clusterLock = await ClusterLock.TryTakeAsync(services, options.Value, ct);
            if (clusterLock is null || (ClaimsSlot(kind) && !await ClaimSlotAsync(ct)))
            {
                metrics.BackgroundRun("skipped", []);
                LogSkipped();
                return null;
            }

            var report = await new BackgroundJobs(services, Settings, time.GetUtcNow().UtcDateTime, GraceCutoff()).RunAsync(ct);
            metrics.BackgroundRun("completed", report.Counts());
            LogCompleted(report.ExpiredSends, report.TrashedItems, report.UnfinishedAttachments, report.UnfinishedSends,
                report.RefreshTokens, report.RememberTokens, report.OrphanBlobs, report.StagedBlobs, report.WebAuthnChallenges, report.EmailCodes, report.Notifications);
            return report;
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            metrics.BackgroundRun("failed", []);
            throw;
        }
        finally
        {
            local.Release();
            firstRun.TrySetResult();
        }
    }

    /// <summary>The time left until the next slot boundary after <paramref name="now"/>.</summary>
    public static TimeSpan UntilNextSlot(DateTimeOffset now, TimeSpan interval)
    {
        var sinceEpoch = now - DateTimeOffset.UnixEpoch;
        return interval - TimeSpan.FromTicks(sinceEpoch.Ticks % interval.Ticks);
    }

    /// <summary>The slot <paramref name="now"/> falls in: whole intervals since the Unix epoch.</summary>
    public static long SlotOf(DateTimeOffset now, TimeSpan interval) => (now - DateTimeOffset.UnixEpoch).Ticks / interval.Ticks;

    private bool ClaimsSlot(RunKind kind) => kind switch
    {
        RunKind.AtStart => options.Value.UsesSharedDatabase,
        RunKind.Scheduled => true,
        _ => false,
    };

    /// <summary>
    /// Files and staged uploads written before this are no longer in progress: <see cref="BackgroundOptions.UnfinishedUploadHours"/>
    /// ago, and on SQLite (one node, so no other process writes) also anything from before this process started.
    /// </summary>
    private DateTime GraceCutoff()
    {
        var cutoff = time.GetUtcNow().UtcDateTime.AddHours(-Settings.UnfinishedUploadHours);
        return !options.Value.UsesSharedDatabase && started > cutoff ? started : cutoff;
    }

    private async Task<bool> ClaimSlotAsync(CancellationToken ct)
    {
        var slot = SlotOf(time.GetUtcNow(), TimeSpan.FromMinutes(Settings.IntervalMinutes)).ToString(CultureInfo.InvariantCulture);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
        // Ordered by the database alone: the insert's key and the conditional update let one node win the slot.
        var last = await db.ServerSettings.AsNoTracking().Where(s => s.Name == SlotSetting).Select(s => s.Value).FirstOrDefaultAsync(ct);
        if (last is null)
        {
            db.ServerSettings.Add(new ServerSetting { Name = SlotSetting, Value = slot });
            try
            {
                await db.SaveChangesAsync(ct);
                return true;
            }
            catch (DbUpdateException)
            {
                // Another node inserted it first: it has this slot.
                return false;
            }
        }

        if (long.Parse(last, CultureInfo.InvariantCulture) >= long.Parse(slot, CultureInfo.InvariantCulture))
        {
            return false;
        }

        // Of nodes racing for the slot, the first update changes the row and the others then match nothing.
        return await db.ServerSettings.Where(s => s.Name == SlotSetting && s.Value == last)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Value, slot), ct) == 1;
    }

    public void Dispose() => local.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Background run: removed {ExpiredSends} expired Sends, {TrashedItems} items from the trash, "
        + "{UnfinishedAttachments} attachment slots and {UnfinishedSends} file Sends never uploaded, {RefreshTokens} refresh tokens, "
        + "{RememberTokens} remember-device tokens, {OrphanBlobs} orphaned files, {StagedBlobs} abandoned uploads, "
        + "{WebAuthnChallenges} expired WebAuthn challenges, {EmailCodes} expired e-mailed codes and {Notifications} old live-sync notifications.")]
    private partial void LogCompleted(int expiredSends, int trashedItems, int unfinishedAttachments, int unfinishedSends,
        int refreshTokens, int rememberTokens, int orphanBlobs, int stagedBlobs, int webAuthnChallenges, int emailCodes, int notifications);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Background run skipped: another node has it.")]
    private partial void LogSkipped();

    /// <summary>
    /// The session lock held for a run, on a connection of its own, so the database server releases it if the node dies:
    /// the advisory lock <see cref="LockKey"/> on PostgreSQL, the named lock <see cref="LockPurpose"/> on MySQL; on SQLite
    /// a lock that always succeeds.
    /// </summary>
    private sealed class ClusterLock(DbConnection? connection, string? unlockSql) : IAsyncDisposable
    {
        public static async Task<ClusterLock?> TryTakeAsync(IServiceProvider services, ServerOptions options, CancellationToken ct)
        {
            var (connection, lockSql, unlockSql) = options.Provider switch
            {
                DatabaseKind.Postgres => ((DbConnection)await services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync(ct),
                    $"SELECT pg_try_advisory_lock({LockKey}) = true", $"SELECT pg_advisory_unlock({LockKey})"),
                DatabaseKind.MySql => MySqlLock(options),
                _ => (null, "", null),
            };
            if (connection is null)
            {
                return new ClusterLock(null, null);
            }

            try
            {
                if (connection.State != System.Data.ConnectionState.Open)
                {
                    await connection.OpenAsync(ct);
                }

                await using var command = connection.CreateCommand();
                command.CommandText = lockSql;
                if (Convert.ToBoolean(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture))
                {
                    return new ClusterLock(connection, unlockSql);
                }
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }

            await connection.DisposeAsync();
            return null;
        }

        private static (DbConnection, string, string) MySqlLock(ServerOptions options)
        {
            var connection = new MySqlConnection(MySqlConnectionString.TryParse(options.Database!, out _));
            var name = MySqlCofferDb.LockName(connection.Database, LockPurpose);
            return (connection, $"SELECT GET_LOCK('{name}', 0) = 1", $"SELECT RELEASE_LOCK('{name}')");
        }

        public async ValueTask DisposeAsync()
        {
            if (connection is null)
            {
                return;
            }

            try
            {
                // Not cancellable: the lock must go back even when the run was cancelled.
                await using var unlock = connection.CreateCommand();
                unlock.CommandText = unlockSql;
                await unlock.ExecuteNonQueryAsync(CancellationToken.None);
            }
            catch (DbException)
            {
                // The connection broke: the database server released the session's lock with it.
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }
}
