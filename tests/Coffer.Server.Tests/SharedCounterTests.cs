using System.Net;
using Coffer.Server.Abuse;
using Coffer.Server.Data;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests;

/// <summary>Counters live in the database: servers sharing it share every budget and lock, and old rows go away.</summary>
public sealed class SharedCounterTests
{
    [Fact]
    public async Task RateLimit_IsSharedByTwoServersOnOneDatabase()
    {
        var folder = CofferFactory.CreateTempFolder();
        try
        {
            await using var first = CofferFactory.OnExistingFolder(folder).WithProductionLimits();
            var fromFirst = first.ClientFrom(AbuseApi.Address(1));
            using (var warmUp = await fromFirst.GetAsync("/alive"))
            {
                await warmUp.ExpectStatusAsync(HttpStatusCode.OK);
            }

            await using var second = CofferFactory.OnExistingFolder(folder).WithProductionLimits();
            var fromSecond = second.ClientFrom(AbuseApi.Address(1));
            for (var i = 0; i < 10; i++)
            {
                using var guess = await AbuseApi.WrongPasswordAsync(i % 2 == 0 ? fromFirst : fromSecond, Fake.Email());
                await guess.ExpectStatusAsync(HttpStatusCode.BadRequest);
            }

            using var limitedOnFirst = await AbuseApi.WrongPasswordAsync(fromFirst, Fake.Email());
            using var limitedOnSecond = await AbuseApi.WrongPasswordAsync(fromSecond, Fake.Email());

            await limitedOnFirst.ExpectTooManyRequestsAsync(maxSeconds: 60);
            await limitedOnSecond.ExpectTooManyRequestsAsync(maxSeconds: 60);
        }
        finally
        {
            CofferFactory.DeleteFolder(folder);
        }
    }

    [Fact]
    public async Task CounterHitFromTwoServersAtOnce_CountsEveryHitOnce_AndOneFailureAloneLocks()
    {
        await using var nodes = new Nodes(2);
        await nodes.StartTogetherAsync();
        const int hits = 40;
        var counts = await Task.WhenAll(Enumerable.Range(0, hits).Select(i => Task.Run(async () =>
        {
            await using var scope = nodes[i % 2].Services.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<IAttemptStore>();
            return (await store.HitAsync("race:hits", 1000, TimeSpan.FromMinutes(5))).Count;
        })));
        var locked = await Task.WhenAll(Enumerable.Range(0, hits).Select(i => Task.Run(async () =>
        {
            await using var scope = nodes[i % 2].Services.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<IAttemptStore>();
            return await store.RecordFailureAsync("race:failures", 10, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5));
        })));

        // Each hit saw its own count: none lost, none counted twice.
        Assert.Equal(Enumerable.Range(1, hits), counts.Order());
        Assert.Single(locked, l => l);
        await using var check = nodes[0].Services.CreateAsyncScope();
        Assert.True(await check.ServiceProvider.GetRequiredService<IAttemptStore>().IsLockedAsync("race:failures"));
    }

    [Fact]
    public async Task Lockout_SetOnOneServer_HoldsOnTheOther()
    {
        var folder = CofferFactory.CreateTempFolder();
        try
        {
            await using var first = CofferFactory.OnExistingFolder(folder);
            var account = await TestAccount.CreateAsync(first);
            await using var second = CofferFactory.OnExistingFolder(folder);
            for (var i = 0; i < 10; i++)
            {
                using var guess = await AbuseApi.WrongPasswordAsync((i % 2 == 0 ? first : second).CreateClient(), account.Email);
            }

            using var locked = await IdentityApi.PasswordGrantAsync(second.CreateClient(), account.Email, account.Credentials.MasterPasswordHash, Fake.DeviceIdentifier());

            Assert.Equal(AbuseApi.LockoutMessage, (string?)(await locked.ExpectObjectAsync(HttpStatusCode.BadRequest))["message"]);
        }
        finally
        {
            CofferFactory.DeleteFolder(folder);
        }
    }

    [Fact]
    public async Task Counters_StoreNoEmailOrAddress_AndExpiredOnesArePurged()
    {
        await using var server = new CofferFactory().WithProductionLimits();
        var email = Fake.Email();
        for (var i = 0; i < 3; i++)
        {
            using var guess = await AbuseApi.WrongPasswordAsync(server.ClientFrom(AbuseApi.Address(1)), email);
        }

        var before = await CountersAsync(server);
        Assert.NotEmpty(before);
        Assert.All(before, c => Assert.Matches("^[0-9a-f]{64}$", c.Key));
        Assert.DoesNotContain(before, c => c.Key.Contains("203.0.113", StringComparison.Ordinal) || c.Key.Contains(email, StringComparison.Ordinal));

        // Past every window (lockout's 15 minutes included); the next request that opens a window sweeps.
        server.Clock.Advance(TimeSpan.FromMinutes(16));
        using (var next = await AbuseApi.WrongPasswordAsync(server.ClientFrom(AbuseApi.Address(2)), Fake.Email()))
        {
            await next.ExpectStatusAsync(HttpStatusCode.BadRequest);
        }

        var after = await CountersAsync(server);
        Assert.Empty(after.Select(c => c.Key).Intersect(before.Select(c => c.Key)));
    }

    private static async Task<List<AttemptCounter>> CountersAsync(CofferFactory server)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CofferDb>().Set<AttemptCounter>().AsNoTracking().ToListAsync();
    }
}
