using System.Net;
using Coffer.Server.Data;
using Coffer.Server.Tests.Infrastructure;
using Coffer.Server.Tests.TwoFactor;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests;

/// <summary>
/// Several servers on one database agree on everything that matters: the schema is migrated once, the audit chain
/// stays one gapless chain however their writes interleave, and a refresh token or a TOTP code is honoured once
/// whichever servers it is raced on. On a database server, a change made through one reaches devices connected to the others.
/// </summary>
public sealed class MultiNodeTests
{
    [Fact]
    public async Task ThreeServers_StartingTogetherOnOneEmptyDatabase_MigrateItOnce()
    {
        await using var nodes = new Nodes(3);

        var started = await nodes.StartTogetherAsync();

        Assert.All(started, status => Assert.Equal(HttpStatusCode.OK, status));
        await using var scope = nodes[0].Services.CreateAsyncScope();
        var migrations = scope.ServiceProvider.GetRequiredService<CofferDb>().Database.GetMigrations().Count();
        using var db = TestDatabase.Open(nodes.Folder);
        Assert.Equal(migrations, await db.ScalarAsync("SELECT COUNT(*) FROM \"__EFMigrationsHistory\""));
        Assert.Equal(migrations, await db.ScalarAsync("SELECT COUNT(DISTINCT \"MigrationId\") FROM \"__EFMigrationsHistory\""));
    }

    [Fact]
    public async Task TwoServers_WritingAtOnce_KeepEveryAuditChainGaplessAndIntact()
    {
        await using var nodes = new Nodes(2);
        var admin = await nodes[0].CreateAdminAsync();
        var onFirst = await TestAccount.CreateAsync(nodes[0]);
        var onSecond = await TestAccount.CreateAsync(nodes[1]);

        await Task.WhenAll(Enumerable.Range(0, 24).Select(i => Task.Run(() => (i % 2 == 0 ? onFirst : onSecond).CreateCipherAsync())));

        using var verify = await admin.Client.GetAsync("/admin/api/audit/verify");
        var result = await verify.ExpectObjectAsync();
        Assert.True((bool?)result["intact"], result.ToJsonString());
        using var db = TestDatabase.Open(nodes.Folder);
        var count = await db.ScalarAsync("SELECT COUNT(*) FROM audit_events");
        Assert.True(count >= 24, $"only {count} events");
        Assert.Equal(0, await db.ScalarAsync("""
            SELECT COUNT(*) FROM audit_events a WHERE a."Position" > 1
            AND NOT EXISTS (SELECT 1 FROM audit_events b WHERE b."ChainId" = a."ChainId" AND b."Position" = a."Position" - 1)
            """));
        Assert.Equal(count, (long?)result["checked"]);
    }

    [Fact]
    public async Task RefreshToken_RedeemedOnTwoServersAtOnce_IsHonouredOnce()
    {
        await using var nodes = new Nodes(2);
        var account = await TestAccount.CreateAsync(nodes[0]);

        var statuses = await RaceAsync(nodes, 8, async node =>
        {
            using var refresh = await IdentityApi.RefreshAsync(node.CreateClient(), account.RefreshToken);
            return refresh.StatusCode;
        });

        Assert.Single(statuses, s => s == HttpStatusCode.OK);
        Assert.All(statuses.Where(s => s != HttpStatusCode.OK), s => Assert.Equal(HttpStatusCode.BadRequest, s));
    }

    [Fact]
    public async Task TotpCode_UsedOnTwoServersAtOnce_LogsInOnce()
    {
        await using var nodes = new Nodes(2);
        var account = await TestAccount.CreateAsync(nodes[0]);
        var key = await TwoFactorApi.EnableAsync(account);
        nodes[0].Clock.Advance(TimeSpan.FromSeconds(30));
        nodes[1].Clock.Advance(nodes[0].Clock.GetUtcNow() - nodes[1].Clock.GetUtcNow());
        var code = TwoFactorApi.Code(nodes[0], key);

        var statuses = await RaceAsync(nodes, 6, async node =>
        {
            using var login = await TwoFactorApi.LoginAsync(account, "0", code, via: node);
            return login.StatusCode;
        });

        Assert.Single(statuses, s => s == HttpStatusCode.OK);
        Assert.All(statuses.Where(s => s != HttpStatusCode.OK), s => Assert.Equal(HttpStatusCode.BadRequest, s));
    }

    [SharedFact]
    [Trait("Provider", "SharedOnly")]
    public async Task CipherWrite_OnOneOfThreeServers_ReachesDevicesOnTheOtherTwo_WithinASecond()
    {
        await using var nodes = new Nodes(3);
        var account = await TestAccount.CreateAsync(nodes[0]);
        var listeners = new List<Notifications.LiveSyncClient>();
        foreach (var node in nodes.All.Skip(1))
        {
            var token = await IdentityApi.LoginAsync(node.CreateClient(), account.Credentials, Fake.DeviceIdentifier());
            listeners.Add(await Notifications.LiveSyncClient.ConnectAsync(node, token.RequireString("access_token")));
        }

        try
        {
            // Every node reads other nodes' changes once it has started (on MySQL: read the table once).
            await Task.WhenAll(nodes.All.Select(n => n.Services.GetRequiredService<Server.Notifications.INotificationBus>()).Select(b => b.Listening.WaitAsync(TimeSpan.FromSeconds(30))));
            var sent = System.Diagnostics.Stopwatch.GetTimestamp();
            var cipher = await account.CreateCipherAsync();

            foreach (var listener in listeners)
            {
                var notification = await listener.NextNotificationAsync();
                Assert.Equal(1, notification.Type);
                Assert.Equal(cipher.RequireString("id"), notification.Id);
            }

            // MySQL polls every 250 ms; a second leaves room for a loaded machine (a guard, not the measured figure).
            Assert.InRange(System.Diagnostics.Stopwatch.GetElapsedTime(sent), TimeSpan.Zero, TimeSpan.FromSeconds(1));
        }
        finally
        {
            foreach (var listener in listeners)
            {
                await listener.DisposeAsync();
            }
        }
    }

    /// <summary>Starts every node, then sends <paramref name="count"/> requests at once, spread over the nodes in turn.</summary>
    private static async Task<HttpStatusCode[]> RaceAsync(Nodes nodes, int count, Func<CofferFactory, Task<HttpStatusCode>> send)
    {
        foreach (var node in nodes.All)
        {
            node.CreateClient().Dispose();
        }

        return await Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(() => send(nodes[i % nodes.All.Count]))));
    }
}
