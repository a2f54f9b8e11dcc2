using System.Net;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests;

/// <summary>
/// The database going away under a running server, for real: the data folder is moved aside and an empty folder
/// stands in its place, as when the volume holding it is unmounted. Requests fail fast with 503, readiness says
/// so, nothing is written anywhere else, and the server recovers by itself when the folder comes back.
/// </summary>
public sealed class DatabaseOutageTests
{
    [SqliteFact]
    [Trait("Provider", "SqliteOnly")]
    public async Task DatabaseGone_Answers503AndNotReady_WritesNothing_AndRecoversWhenItReturns()
    {
        await using var factory = new CofferFactory();
        var account = await TestAccount.CreateAsync(factory);
        var item = (await account.CreateCipherAsync()).RequireString("id");
        var anonymous = factory.CreateClient();
        var away = factory.DataFolder + ".away";

        Directory.Move(factory.DataFolder, away);
        Directory.CreateDirectory(factory.DataFolder);
        try
        {
            await AssertUnavailableAsync(account, anonymous);
            Assert.Empty(Directory.GetFileSystemEntries(factory.DataFolder));
        }
        finally
        {
            Directory.Delete(factory.DataFolder, recursive: true);
            Directory.Move(away, factory.DataFolder);
        }

        await AssertRecoveredAsync(account, anonymous, item);
    }

    // The database server stopping (every connection, pooled ones too, reset; new ones refused) and starting again,
    // through a relay in front of the server the other tests share. Outages under multi-node load are tests/e2e's.
    [SharedFact]
    [Trait("Provider", "SharedOnly")]
    public async Task DatabaseServerDown_Answers503AndNotReady_AndRecoversWhenItIsBack()
    {
        var (host, port) = TestDatabase.ServerEndpoint;
        await using var proxy = TcpProxy.Start(host, port);
        await using var factory = new CofferFactory();
        factory.Settings["Coffer:Database"] = TestDatabase.ConnectionStringVia(factory.DataFolder, proxy.Port);
        var account = await TestAccount.CreateAsync(factory);
        var item = (await account.CreateCipherAsync()).RequireString("id");
        var anonymous = factory.CreateClient();

        await proxy.DownAsync();
        try
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            // First over a pooled connection the reset killed, then (the pool dropped) over refused connects.
            using (var sync = await account.Client.GetAsync("/api/sync?excludeDomains=true"))
            {
                await sync.ExpectBitwardenErrorAsync(HttpStatusCode.ServiceUnavailable);
            }

            await AssertUnavailableAsync(account, anonymous);
            // Seven requests, each answered after one refused connect, not after a pool or command timeout.
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(20), $"503s took {started.Elapsed}");
        }
        finally
        {
            proxy.Up();
        }

        await AssertRecoveredAsync(account, anonymous, item);
    }

    private static async Task AssertUnavailableAsync(TestAccount account, HttpClient anonymous)
    {
        using (var health = await anonymous.GetAsync("/health"))
        {
            var problem = await health.ExpectObjectAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Equal("unavailable", problem.RequireString("database"));
            Assert.NotNull(health.Headers.RetryAfter);
        }

        using (var alive = await anonymous.GetAsync("/alive"))
        {
            await alive.ExpectStatusAsync(HttpStatusCode.OK);
        }

        using (var sync = await account.Client.GetAsync("/api/sync?excludeDomains=true"))
        {
            var error = await sync.ExpectBitwardenErrorAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Contains("database is unavailable", error.ToJsonString(), StringComparison.Ordinal);
            Assert.Equal(TimeSpan.FromSeconds(5), sync.Headers.RetryAfter?.Delta);
        }

        using (var create = await account.Client.PostJsonAsync("/api/ciphers", Payloads.LoginCipher()))
        {
            await create.ExpectBitwardenErrorAsync(HttpStatusCode.ServiceUnavailable);
        }

        using (var login = await IdentityApi.PasswordGrantAsync(anonymous, account.Email, account.Credentials.MasterPasswordHash, account.DeviceIdentifier))
        {
            await login.ExpectBitwardenErrorAsync(HttpStatusCode.ServiceUnavailable);
        }

        using (var admin = await account.Client.GetAsync("/admin/api/users"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, admin.StatusCode);
            Assert.Equal("application/problem+json", admin.Content.Headers.ContentType?.MediaType);
        }
    }

    private static async Task AssertRecoveredAsync(TestAccount account, HttpClient anonymous, string item)
    {
        using (var health = await anonymous.GetAsync("/health"))
        {
            await health.ExpectStatusAsync(HttpStatusCode.OK);
        }

        var ids = (await account.SyncAsync()).RequireArray("ciphers").Select(c => c.RequireString("id")).ToList();
        Assert.Equal([item], ids);
        Assert.NotNull((await account.CreateCipherAsync())["id"]);
    }
}
