using Coffer.Server.Audit;
using Coffer.Server.Data;
using Coffer.Server.Folders;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests;

/// <summary>
/// SQLite group commit (Data/SqliteGroupCommit): units that are ready together share one transaction; a unit that
/// fails is rolled back alone (its rows and its audit events), a failed COMMIT fails every unit of its batch, and a
/// unit's commit returns only after the COMMIT covering it.
/// </summary>
public sealed class GroupCommitTests(CofferFactory factory) : IClassFixture<CofferFactory>, IAsyncLifetime
{
    private Guid userId;

    public async Task InitializeAsync() => userId = Guid.Parse((await TestAccount.CreateAsync(factory)).UserId);

    public Task DisposeAsync() => Task.CompletedTask;

    [SqliteFact]
    [Trait("Provider", "SqliteOnly")]
    public async Task UnitThatFailsInABatch_IsRolledBackAlone_AndTheOthersOfTheBatchCommit()
    {
        var existing = await AddFolderAsync("existing");
        var committer = factory.Services.GetRequiredService<SqliteGroupCommit>();
        var before = committer.Batches;
        await using var batch = await Batch.StartAsync(factory, committer, userId);

        var failing = batch.Unit((db, changes) =>
        {
            changes.Record(EventType.CipherCreated, userId, detail: "failing unit");
            db.Folders.Add(NewFolder("failing"));
            // Its audit event and first folder are written inside its savepoint before this one breaks the key.
            db.Folders.Add(new Folder { Id = existing, UserId = userId, Name = "duplicate" });
        });
        var passing = batch.Unit((db, changes) =>
        {
            changes.Record(EventType.CipherCreated, userId, detail: "passing unit");
            db.Folders.Add(NewFolder("passing"));
        });
        await batch.ReleaseAsync(waiting: 2);

        await batch.First;
        await passing;
        await Assert.ThrowsAsync<DbUpdateException>(() => failing);
        Assert.Equal(before + 1, committer.Batches);
        var names = await ReadAsync(db => db.Folders.Where(f => f.UserId == userId).Select(f => f.Name).ToListAsync());
        Assert.Equal(["blocker", "existing", "passing"], names.Order());
        var details = await ReadAsync(db => db.AuditEvents.Where(e => e.UserId == userId && e.Detail != null).Select(e => e.Detail!).ToListAsync());
        Assert.Contains("blocker unit", details);
        Assert.Contains("passing unit", details);
        Assert.DoesNotContain("failing unit", details);
        var audit = await ServerCommand.RunAsync(factory.DataFolder, "audit", "verify");
        Assert.True(audit.ExitCode == 0, audit.Output + audit.Error);
    }

    [SqliteFact]
    [Trait("Provider", "SqliteOnly")]
    public async Task FailedCommit_FailsEveryUnitOfTheBatch_AndSavesNoneOfThem()
    {
        var committer = factory.Services.GetRequiredService<SqliteGroupCommit>();
        await using var batch = await Batch.StartAsync(factory, committer, userId);
        var breaking = batch.Unit(async (db, changes) =>
        {
            changes.Record(EventType.CipherCreated, userId, detail: "breaking unit");
            // Foreign keys checked only at COMMIT (set inside the unit's turn, on the batch's connection): every
            // statement passes, and the COMMIT itself fails.
            changes.Require(userId, async ct =>
            {
                await db.Database.ExecuteSqlRawAsync("PRAGMA defer_foreign_keys = ON", ct);
                return null;
            });
            await Task.CompletedTask;
            db.Folders.Add(new Folder { Id = Guid.NewGuid(), UserId = Guid.NewGuid(), Name = "orphan" });
        });
        var innocent = batch.Unit((db, changes) =>
        {
            changes.Record(EventType.CipherCreated, userId, detail: "innocent unit");
            db.Folders.Add(NewFolder("innocent"));
        });
        await batch.ReleaseAsync(waiting: 2);

        var errors = await Task.WhenAll(new[] { batch.First, breaking, innocent }.Select(t => Record.ExceptionAsync(() => t)));
        Assert.All(errors, e => Assert.Contains("FOREIGN KEY", Assert.IsType<Microsoft.Data.Sqlite.SqliteException>(e).Message, StringComparison.Ordinal));
        Assert.Empty(await ReadAsync(db => db.Folders.Where(f => f.UserId == userId).ToListAsync()));
        Assert.Empty(await ReadAsync(db => db.AuditEvents.Where(e => e.UserId == userId && e.Detail != null).ToListAsync()));

        // The committer goes on with the next batch.
        await AddFolderAsync("after");
        Assert.Equal("after", Assert.Single(await ReadAsync(db => db.Folders.Where(f => f.UserId == userId).Select(f => f.Name).ToListAsync())));
    }

    [SqliteFact]
    [Trait("Provider", "SqliteOnly")]
    public async Task ConcurrentCreates_AreEachAcknowledgedOnce_AndAllStored()
    {
        var account = await TestAccount.CreateAsync(factory);
        var ids = await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
        {
            using var response = await account.Client.PostJsonAsync("/api/ciphers", Payloads.LoginCipher());
            return (await response.ExpectObjectAsync()).RequireString("id");
        }));

        var stored = (await account.SyncAsync()).RequireArray("ciphers").Select(c => c.RequireString("id"));
        Assert.Equal(ids.Order(), stored.Order());
    }

    private Folder NewFolder(string name) => new() { Id = Guid.NewGuid(), UserId = userId, Name = name };

    private async Task<Guid> AddFolderAsync(string name)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var folder = NewFolder(name);
        scope.ServiceProvider.GetRequiredService<CofferDb>().Folders.Add(folder);
        await scope.ServiceProvider.GetRequiredService<Changes>().CommitAsync(userId);
        return folder.Id;
    }

    private async Task<T> ReadAsync<T>(Func<CofferDb, Task<T>> read)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await read(scope.ServiceProvider.GetRequiredService<CofferDb>());
    }

    /// <summary>
    /// A batch made on purpose: a first unit holds its turn (a condition that waits) until the others queued behind it,
    /// so they all run in the one transaction that follows it.
    /// </summary>
    private sealed class Batch : IAsyncDisposable
    {
        private readonly CofferFactory factory;
        private readonly SqliteGroupCommit committer;
        private readonly Guid userId;
        private readonly TaskCompletionSource entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<AsyncServiceScope> scopes = [];

        private Batch(CofferFactory factory, SqliteGroupCommit committer, Guid userId)
        {
            this.factory = factory;
            this.committer = committer;
            this.userId = userId;
        }

        public Task First { get; private set; } = Task.CompletedTask;

        public static async Task<Batch> StartAsync(CofferFactory factory, SqliteGroupCommit committer, Guid userId)
        {
            var batch = new Batch(factory, committer, userId);
            batch.First = batch.Unit((db, changes) =>
            {
                changes.Record(EventType.CipherCreated, userId, detail: "blocker unit");
                db.Folders.Add(new Folder { Id = Guid.NewGuid(), UserId = userId, Name = "blocker" });
                changes.Require(userId, async _ =>
                {
                    batch.entered.TrySetResult();
                    await batch.release.Task;
                    return null;
                });
            });
            await batch.entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
            return batch;
        }

        public Task Unit(Action<CofferDb, Changes> prepare) => Unit((db, changes) =>
        {
            prepare(db, changes);
            return Task.CompletedTask;
        });

        public Task Unit(Func<CofferDb, Changes, Task> prepare)
        {
            var scope = factory.Services.CreateAsyncScope();
            scopes.Add(scope);
            var db = scope.ServiceProvider.GetRequiredService<CofferDb>();
            var changes = scope.ServiceProvider.GetRequiredService<Changes>();
            return Task.Run(async () =>
            {
                await prepare(db, changes);
                await changes.CommitAsync(userId);
            });
        }

        /// <summary>Lets the first unit finish once <paramref name="waiting"/> units queued behind it.</summary>
        public async Task ReleaseAsync(int waiting)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (committer.Waiting < waiting)
            {
                await Task.Delay(5, timeout.Token);
            }

            release.TrySetResult();
        }

        public async ValueTask DisposeAsync()
        {
            release.TrySetResult();
            foreach (var scope in scopes)
            {
                await scope.DisposeAsync();
            }
        }
    }
}
