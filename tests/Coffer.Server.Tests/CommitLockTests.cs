using Coffer.Server.Data;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests;

/// <summary>
/// Commits hold only their own keys (Data/Changes, Data/CommitLocks): accounts, audit chains, condition scopes. Writes
/// of different accounts never wait on each other, writes of one account still follow one another, and one account's
/// chain written from two servers at once stays intact.
/// </summary>
public sealed class CommitLockTests
{
    [SharedFact]
    [Trait("Provider", "SharedOnly")]
    public async Task CommitHoldingOneAccount_DoesNotDelayAnotherAccount_AndHoldsBackItsOwn()
    {
        await using var factory = new CofferFactory();
        var held = await TestAccount.CreateAsync(factory);
        var other = await TestAccount.CreateAsync(factory);

        await AssertHeldBackAsync(factory, held, other, held);
    }

    [SharedFact]
    [Trait("Provider", "SharedOnly")]
    public async Task CommitHoldingOneAccountOnOneServer_HoldsBackItsCommitsOnAnother_NotOtherAccounts()
    {
        await using var nodes = new Nodes(2);
        var held = await TestAccount.CreateAsync(nodes[0]);
        var other = await TestAccount.LoginAsync(nodes[1], (await TestAccount.CreateAsync(nodes[0])).Credentials);
        var heldElsewhere = await TestAccount.LoginAsync(nodes[1], held.Credentials);

        // The second server shares no in-process lock with the first: only the database's lock holds it back.
        await AssertHeldBackAsync(nodes[0], held, other, heldElsewhere);
    }

    /// <summary>
    /// Holds a transaction of <paramref name="held"/>'s account open on <paramref name="holder"/> (its key taken); then
    /// <paramref name="other"/>'s write goes through, and <paramref name="heldWriter"/>'s waits until the hold ends.
    /// </summary>
    private static async Task AssertHeldBackAsync(CofferFactory holder, TestAccount held, TestAccount other, TestAccount heldWriter)
    {
        var heldId = Guid.Parse(held.UserId);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var scope = holder.Services.CreateAsyncScope();
        var changes = scope.ServiceProvider.GetRequiredService<Changes>();
        changes.Require(heldId, async _ =>
        {
            entered.TrySetResult();
            await release.Task;
            return null;
        });
        var holding = Task.Run(() => changes.CommitAsync(heldId));
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        try
        {
            await other.CreateCipherAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.False(holding.IsCompleted);

            var waiting = heldWriter.CreateCipherAsync();
            Assert.NotSame(waiting, await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(1))));
            release.TrySetResult();
            await holding;
            await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [MySqlFact]
    [Trait("Provider", "MySqlOnly")]
    public async Task RefusedOrFailedCommit_ReleasesItsGetLocks_BeforeItsConnectionGoesBackToThePool()
    {
        await using var factory = new CofferFactory();
        var account = await TestAccount.CreateAsync(factory);
        var key = Guid.Parse(account.UserId);
        await using var outside = factory.OpenDatabase();
        var lockName = MySqlCofferDb.LockName(outside.Database, key.ToString("N"));

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var changes = scope.ServiceProvider.GetRequiredService<Changes>();
            changes.Require(key, async _ =>
            {
                // Held while the check runs, by the commit's own session.
                Assert.NotEqual(0, await outside.ScalarAsync("SELECT IS_USED_LOCK(@name) IS NOT NULL", ("@name", lockName)));
                return "refused";
            });
            await Assert.ThrowsAsync<ChangeRefusedException>(() => changes.CommitAsync(key));
        }

        Assert.Equal(1, await outside.ScalarAsync("SELECT IS_FREE_LOCK(@name)", ("@name", lockName)));

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var changes = scope.ServiceProvider.GetRequiredService<Changes>();
            changes.Require(key, _ => throw new InvalidOperationException("The check failed."));
            await Assert.ThrowsAsync<InvalidOperationException>(() => changes.CommitAsync(key));
        }

        Assert.Equal(1, await outside.ScalarAsync("SELECT IS_FREE_LOCK(@name)", ("@name", lockName)));
        // And the account's next write goes through at once.
        await account.CreateCipherAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [MySqlFact]
    [Trait("Provider", "MySqlOnly")]
    public async Task CommitWaitingLongerThanTheLockWait_Answers503_AndTheNextOneGoesThroughOnceTheKeyIsFree()
    {
        await using var factory = new CofferFactory();
        var account = await TestAccount.CreateAsync(factory);
        await using var outside = factory.OpenDatabase();
        // Another node holding the account's key and never letting go (GET_LOCK is the commits' own lock).
        var lockName = MySqlCofferDb.LockName(outside.Database, Guid.Parse(account.UserId).ToString("N"));
        Assert.Equal(1, await outside.ScalarAsync("SELECT GET_LOCK(@name, 0)", ("@name", lockName)));

        var waited = System.Diagnostics.Stopwatch.StartNew();
        using (var create = await account.Client.PostJsonAsync("/api/ciphers", Payloads.LoginCipher()))
        {
            await create.ExpectBitwardenErrorAsync(System.Net.HttpStatusCode.ServiceUnavailable);
            Assert.NotNull(create.Headers.RetryAfter);
        }

        Assert.InRange(waited.Elapsed, TimeSpan.FromSeconds(MySqlCofferDb.LockWaitSeconds - 1), TimeSpan.FromSeconds(MySqlCofferDb.LockWaitSeconds + 20));
        Assert.Empty((await account.SyncAsync()).RequireArray("ciphers"));
        Assert.Equal(1, await outside.ScalarAsync("SELECT RELEASE_LOCK(@name)", ("@name", lockName)));
        await account.CreateCipherAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task OneAccountWritingFromTwoServersAtOnce_KeepsItsChainGaplessAndIntact()
    {
        await using var nodes = new Nodes(2);
        var admin = await nodes[0].CreateAdminAsync();
        var first = await TestAccount.CreateAsync(nodes[0]);
        var second = await TestAccount.LoginAsync(nodes[1], first.Credentials);

        var ids = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => Task.Run(async () =>
        {
            var created = await (i % 2 == 0 ? first : second).CreateCipherAsync();
            return created.RequireString("id");
        })));

        Assert.Equal(24, ids.Distinct().Count());
        using var verify = await admin.Client.GetAsync("/admin/api/audit/verify");
        var result = await verify.ExpectObjectAsync();
        Assert.True((bool?)result["intact"], result.ToJsonString());
        using var db = TestDatabase.Open(nodes.Folder);
        var userId = Guid.Parse(first.UserId);
        Assert.True(await db.ScalarAsync($"SELECT COUNT(*) FROM audit_events WHERE \"ChainId\" = '{ChainLiteral(userId)}'") >= 24);
        Assert.Equal(0, await db.ScalarAsync("""
            SELECT COUNT(*) FROM audit_events a WHERE a."Position" > 1
            AND NOT EXISTS (SELECT 1 FROM audit_events b WHERE b."ChainId" = a."ChainId" AND b."Position" = a."Position" - 1)
            """));
        var stored = (await first.SyncAsync()).RequireArray("ciphers").Select(c => c.RequireString("id"));
        Assert.Equal(ids.Order(), stored.Order());
    }

    // SQLite stores ids as upper-case text, MySQL as lower-case char(36), PostgreSQL as uuid (read from lower-case text).
    private static string ChainLiteral(Guid id) => TestDatabase.IsShared ? id.ToString() : id.ToString().ToUpperInvariant();
}
