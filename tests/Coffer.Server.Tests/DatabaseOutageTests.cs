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
    // PostgreSQL outages (the server stopped and started under load) are the multi-node tests' subject (tests/e2e).
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

            Assert.Empty(Directory.GetFileSystemEntries(factory.DataFolder));
        }
        finally
        {
            Directory.Delete(factory.DataFolder, recursive: true);
            Directory.Move(away, factory.DataFolder);
        }

        using (var health = await anonymous.GetAsync("/health"))
        {
            await health.ExpectStatusAsync(HttpStatusCode.OK);
        }

        var ids = (await account.SyncAsync()).RequireArray("ciphers").Select(c => c.RequireString("id")).ToList();
        Assert.Equal([item], ids);
        Assert.NotNull((await account.CreateCipherAsync())["id"]);
    }
}
