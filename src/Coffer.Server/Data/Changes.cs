using Coffer.Server.Audit;
using Coffer.Server.Identity;
using Coffer.Server.Notifications;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Server.Data;

/// <summary>
/// The side effects that travel with every change, committed in one transaction with it: audit events appended
/// to the hash chain, and for vault changes the account revision date that <c>bw sync</c> compares with its
/// last sync (protocol §4.6). Device notifications (<see cref="Notify"/>) are published once the transaction has
/// committed and the revision date moved (notifications doc §10.1), and never for a change that rolled back; mail
/// queued with <see cref="Mail.Mailer"/> is saved in the same transaction and its sender woken after the commit.
/// <para>
/// Nothing in a commit is global: it needs exclusive access to its keys only (<see cref="LockKeys"/>: the accounts whose
/// revision date it moves, the audit chain of each event, the scope of each <see cref="Require"/> condition). On
/// PostgreSQL a commit takes them as in-process locks (<see cref="CommitLocks"/>) and as transaction advisory locks for
/// the other nodes, so commits of different accounts run side by side. On SQLite, a single-writer file, commits go
/// through <see cref="SqliteGroupCommit"/>, which runs them one at a time on its write connection and lets ready ones
/// share a transaction and its fsync; other nodes on the same file wait for SQLite's write lock.
/// </para>
/// </summary>
public sealed class Changes(CofferDb db, AuditChain chain, CommitLocks locks, TimeProvider time, IHttpContextAccessor http, Hosting.CofferMetrics metrics,
    Files.IBlobStore blobs, ILogger<Changes> logger, INotificationBus? notifications = null, Mail.MailSignal? mail = null, SqliteGroupCommit? groupCommit = null)
{
    private readonly List<AuditEvent> pending = [];
    private readonly List<Notification> pendingNotifications = [];
    private readonly List<Func<CancellationToken, Task<string?>>> conditions = [];
    private readonly List<Guid> scopes = [];

    public DateTime Now { get; } = time.GetUtcNow().UtcDateTime;

    /// <summary>
    /// Queues an audit event for the next commit. The acting device and client address come from the current
    /// request; pass <paramref name="actingUserId"/> when someone other than <paramref name="userId"/> acts (an admin).
    /// </summary>
    public void Record(EventType type, Guid? userId, Guid? cipherId = null, string? detail = null, Guid? actingUserId = null, Guid? deviceId = null) =>
        Record(new AuditEvent { Type = type, UserId = userId, CipherId = cipherId, Detail = detail, ActingUserId = actingUserId, DeviceId = deviceId, PreviousHash = "", Hash = "" });

    /// <summary>
    /// Queues an organization event (<c>bitwarden-organizations.md</c> §6.5): <paramref name="organizationId"/> and
    /// what it is about. <paramref name="userId"/> is the account concerned (the member), if any; the actor is the caller.
    /// </summary>
    public void RecordOrganization(EventType type, Guid organizationId, Guid? userId = null, Guid? cipherId = null, Guid? collectionId = null,
        Guid? membershipId = null, Guid? groupId = null, Guid? policyId = null, string? detail = null)
    {
        var principal = http.HttpContext?.User;
        var actor = principal?.Identity?.IsAuthenticated == true ? principal.UserId() : (Guid?)null;
        Record(new AuditEvent
        {
            Type = type,
            OrganizationId = organizationId,
            UserId = userId ?? actor,
            ActingUserId = actor,
            CipherId = cipherId,
            CollectionId = collectionId,
            MembershipId = membershipId,
            GroupId = groupId,
            PolicyId = policyId,
            Detail = detail,
            PreviousHash = "",
            Hash = "",
        });
    }

    private void Record(AuditEvent e)
    {
        var context = http.HttpContext;
        var principal = context?.User;
        e.DeviceId ??= principal?.Identity?.IsAuthenticated == true ? principal.DeviceId() : null;
        e.DeviceType = int.TryParse(context?.Request.Headers["Device-Type"], out var t) ? t : null;
        e.Date = Now;
        e.IpAddress = context?.Connection.RemoteIpAddress?.ToString();
        e.Detail = e.Detail is { Length: > 256 } ? e.Detail[..256] : e.Detail;
        e.PreviousHash = AuditChain.GenesisHash;
        pending.Add(e);
    }

    /// <summary>
    /// Queues a notification to <paramref name="userId"/>'s devices for after the next commit. One call per change,
    /// so a bulk change queues one <see cref="PushType.SyncCiphers"/> rather than one per item (doc §10.5).
    /// <paramref name="date"/> is the item's stored revision date for item types (doc §10.2), else the commit time.
    /// With <paramref name="excludeActingDevice"/> the device of the current request is named as <c>ContextId</c>
    /// and not notified (doc §8 says which changes do that); <paramref name="onlyDevice"/> notifies that device alone.
    /// </summary>
    public void Notify(PushType type, Guid userId, Guid? itemId = null, DateTime? date = null, bool excludeActingDevice = true, string? onlyDevice = null)
    {
        var principal = http.HttpContext?.User;
        var contextId = excludeActingDevice ? principal?.FindFirst(AccessTokenAuthentication.DeviceIdentifierClaim)?.Value : null;
        pendingNotifications.Add(new Notification(type, userId, date ?? Now, itemId, contextId, onlyDevice));
    }

    /// <summary>
    /// Queues a notification about an organization item to each of <paramref name="recipients"/> (every member who can
    /// see it, and for a change that removes access every member who could): <c>OrganizationId</c> and
    /// <c>CollectionIds</c> set, as the clients need to fetch an item they do not have yet (<c>bitwarden-organizations.md</c> §10).
    /// </summary>
    public void NotifyOrganizationItem(PushType type, IEnumerable<Guid> recipients, Guid organizationId, Guid cipherId, IReadOnlyList<Guid> collectionIds, DateTime? date = null)
    {
        ArgumentNullException.ThrowIfNull(recipients);
        var contextId = http.HttpContext?.User.FindFirst(AccessTokenAuthentication.DeviceIdentifierClaim)?.Value;
        foreach (var userId in recipients.Distinct())
        {
            pendingNotifications.Add(new Notification(type, userId, date ?? Now, cipherId, contextId, OrganizationId: organizationId, CollectionIds: collectionIds));
        }
    }

    /// <summary>
    /// Queues a condition the next commit checks inside its transaction while it holds <paramref name="scope"/>: the
    /// account or organization whose rows <paramref name="check"/> reads (the quota's owner, the grant's grantor), which
    /// every commit that changes those rows holds too (as a vault owner, an event's chain, or a scope of its own).
    /// <paramref name="check"/> answers null to go on, or the reason to refuse, and then nothing of the change is saved
    /// and <see cref="CommitAsync(Guid?, CancellationToken)"/> throws <see cref="ChangeRefusedException"/> with that
    /// reason. For rules over rows other requests write at the same time, such as a storage quota: two uploads racing
    /// for the last free bytes cannot both pass.
    /// </summary>
    public void Require(Guid scope, Func<CancellationToken, Task<string?>> check)
    {
        ArgumentNullException.ThrowIfNull(check);
        scopes.Add(scope);
        conditions.Add(check);
    }

    /// <summary>
    /// The keys a commit of this unit holds (sorted, distinct): <paramref name="vaultOwners"/>, the chain of each queued
    /// audit event (<see cref="AuditChain.ChainOf"/>), and the scope of each <see cref="Require"/> condition.
    /// </summary>
    public IReadOnlyList<Guid> LockKeys(IEnumerable<Guid> vaultOwners) =>
        [.. vaultOwners.Concat(pending.Select(AuditChain.ChainOf)).Concat(scopes).Distinct().Order()];

    /// <summary>Saves tracked changes and queued events; with <paramref name="vaultOwner"/>, also bumps that account's revision date.</summary>
    public Task CommitAsync(Guid? vaultOwner = null, CancellationToken ct = default) =>
        CommitAsync(vaultOwner is { } owner ? [owner] : [], ct);

    /// <summary>
    /// Saves tracked changes and queued events, and bumps the account revision date of every account in
    /// <paramref name="vaultOwners"/>: for a change to an organization, every member who can see it
    /// (<c>bitwarden-organizations.md</c> §10, pitfall P12), or their non-forced sync would skip it.
    /// </summary>
    public async Task CommitAsync(IReadOnlyCollection<Guid> vaultOwners, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(vaultOwners);
        var outcome = new Outcome();
        if (db is SqliteCofferDb && groupCommit is not null)
        {
            // The unit's work runs inside the next group commit's transaction, one unit at a time on its one
            // write connection; this returns once the COMMIT covering it returned (Data/SqliteGroupCommit).
            db.Database.AutoSavepointsEnabled = false;
            await groupCommit.RunAsync(db, token => WorkAsync(vaultOwners, outcome, token), ct);
        }
        else
        {
            var keys = LockKeys(vaultOwners);
            // In-process first, so waiting for a busy key holds no pooled connection; then the same keys for every
            // other node on the database, released by COMMIT or ROLLBACK (or by the server when a node dies).
            using var held = await locks.AcquireAsync(keys, ct);
            // Opened here, not by the transaction: EF closes a connection the transaction opened as soon as it commits,
            // and MySQL's session locks must be released on this same connection before it goes back to the pool.
            await db.Database.OpenConnectionAsync(ct);
            try
            {
                // On MySQL READ COMMITTED, as PostgreSQL's default: each statement sees what committed before it, where
                // InnoDB's REPEATABLE READ would keep reading a snapshot older than the commit that held a key before.
                await using var transaction = db is MySqlCofferDb
                    ? await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, ct)
                    : await db.Database.BeginTransactionAsync(ct);
                // The unit is already one transaction; EF's automatic savepoint would only add statements.
                db.Database.AutoSavepointsEnabled = false;
                try
                {
                    await db.LockKeysAsync(keys, ct);
                    await WorkAsync(vaultOwners, outcome, ct);
                    await transaction.CommitAsync(ct);
                }
                catch (Exception failure)
                {
                    await RollBackAsync(transaction, failure);
                    throw;
                }
                finally
                {
                    await db.ReleaseKeysAsync(CancellationToken.None);
                }
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }

        metrics.Committed(pending);
        pending.Clear();
        var deletedFiles = outcome.DeletedFiles;
        var queuedMail = outcome.QueuedMail;
        if (queuedMail)
        {
            // Mail queued by this change (Mail/Mailer) is in the outbox now: deliver it without waiting for the next poll.
            mail?.Wake();
        }

        if (deletedFiles.Count > 0)
        {
            // After the commit and its locks: files of rows that are gone for good (Files/BlobCleanup).
            await Files.BlobCleanup.DeleteAsync(blobs, deletedFiles, logger);
        }

        if (pendingNotifications.Count > 0 && notifications is not null)
        {
            // After the commit and its locks: fan-out must not hold up other writers.
            Notification[] committed = [.. pendingNotifications];
            pendingNotifications.Clear();
            await notifications.PublishAsync(committed);
        }
    }

    // The failure that ended the unit is what the caller must see: a rollback that fails too (the connection broke, or
    // COMMIT itself failed and ended the transaction) is logged, and the database server rolls back on its own.
    private async Task RollBackAsync(Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction transaction, Exception failure)
    {
        try
        {
            await transaction.RollbackAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException)
        {
            logger.LogWarning(e, "Rolling back after {Failure} failed too; the database server ends the transaction itself.", failure.GetType().Name);
        }
    }

    /// <summary>The database work of a commit, inside its transaction: conditions, audit append, save, revision dates.</summary>
    private async Task WorkAsync(IReadOnlyCollection<Guid> vaultOwners, Outcome outcome, CancellationToken ct)
    {
        foreach (var condition in conditions)
        {
            if (await condition(ct) is { } refusal)
            {
                // The transaction rolls back; what was queued for this change is dropped with it.
                conditions.Clear();
                scopes.Clear();
                pending.Clear();
                pendingNotifications.Clear();
                throw new ChangeRefusedException(refusal);
            }
        }

        conditions.Clear();
        scopes.Clear();
        await AppendPendingAsync(ct);
        outcome.DeletedFiles = await Files.BlobCleanup.CollectAsync(db, ct);
        outcome.QueuedMail = db.ChangeTracker.Entries<Mail.OutboxMessage>().Any(e => e.State == EntityState.Added);
        await db.SaveChangesAsync(ct);
        foreach (var owner in vaultOwners.Distinct())
        {
            // Taken while no other commit touching this account can run, and strictly later than the last commit's
            // even when another node's clock is behind or both fall in one microsecond: a device that synced after an
            // earlier commit always sees this one as newer (and the sync cache, keyed by it, misses).
            var committed = time.GetUtcNow().UtcDateTime;
            var last = await db.Users.Where(u => u.Id == owner).Select(u => u.AccountRevisionDate).FirstOrDefaultAsync(ct);
            committed = committed > last ? committed : last.AddTicks(TimeSpan.TicksPerMicrosecond);
            await db.Users.Where(u => u.Id == owner).ExecuteUpdateAsync(s => s.SetProperty(u => u.AccountRevisionDate, committed), ct);
        }
    }

    private sealed class Outcome
    {
        public List<string> DeletedFiles { get; set; } = [];

        public bool QueuedMail { get; set; }
    }

    /// <summary>
    /// Appends the queued events to their chains (<see cref="AuditChain.ChainOf"/>): per chain, the head is one indexed
    /// lookup and the events follow it in the order they were recorded. Only the heads of these chains need to be held
    /// by this commit; the unique (chain, position) index refuses a second append at one position should two ever race.
    /// </summary>
    private async Task AppendPendingAsync(CancellationToken ct)
    {
        foreach (var events in pending.GroupBy(AuditChain.ChainOf))
        {
            var head = await AuditChain.HeadAsync(db, events.Key, ct);
            var position = head?.Position ?? 0;
            var previous = head?.Hash ?? AuditChain.GenesisHash;
            foreach (var e in events)
            {
                e.ChainId = events.Key;
                e.Position = ++position;
                e.Hash = chain.Compute(e, previous);
                e.PreviousHash = previous;
                previous = e.Hash;
                db.AuditEvents.Add(e);
            }
        }
    }
}

/// <summary>A condition queued with <see cref="Changes.Require"/> refused the change; <see cref="Exception.Message"/> says why.</summary>
public sealed class ChangeRefusedException(string reason) : Exception(reason);

public static class ChangesSetup
{
    /// <summary>The unit of work every write goes through: <see cref="Changes"/>, its locks and the SQLite group commit (the audit chain it appends to: <see cref="AuditSetup.AddAuditLog"/>).</summary>
    public static IServiceCollection AddChanges(this IServiceCollection services) =>
        services.AddHttpContextAccessor()
            .AddSingleton<CommitLocks>()
            .AddSingleton<SqliteGroupCommit>()
            .AddScoped<Changes>();
}
