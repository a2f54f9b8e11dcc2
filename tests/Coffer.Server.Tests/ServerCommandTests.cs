using System.Net;
using Coffer.Server.Tests.Infrastructure;
using Coffer.Server.Tests.TwoFactor;

namespace Coffer.Server.Tests;

/// <summary>
/// <c>coffer-server admin …</c>, run as a child process from the built DLL against the data folder of a
/// running test server, as an operator would on the host (SQLite lets both open the file).
/// </summary>
public sealed class ServerCommandTests(CofferFactory factory) : IClassFixture<CofferFactory>
{
    [Fact]
    public async Task AdminCreate_PromotesARegisteredAccount_WhichThenReachesTheAdminApi()
    {
        var account = await TestAccount.CreateAsync(factory);
        using (var before = await account.Client.GetAsync("/admin/api/users"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, before.StatusCode);
        }

        var result = await ServerCommand.RunAsync(factory.DataFolder, "admin", "create", account.Email.ToUpperInvariant());

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Contains($"{account.Email} is now an admin", result.Output, StringComparison.Ordinal);
        Assert.Contains("Admin actions need two-step login", result.Output, StringComparison.Ordinal);
        using (var withoutTwoFactor = await account.Client.GetAsync("/admin/api/users"))
        {
            await withoutTwoFactor.ExpectProblemAsync(HttpStatusCode.Forbidden);
        }

        await TwoFactorApi.EnableAsync(account);
        await account.ProveAdminAsync();
        using var after = await account.Client.GetAsync("/admin/api/users");
        await after.ExpectStatusAsync(HttpStatusCode.OK);
        var list = await ServerCommand.RunAsync(factory.DataFolder, "admin", "list");
        Assert.Contains(account.Email, list.Output, StringComparison.Ordinal);
        Assert.Contains(account.UserId, list.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminCreate_ForAnUnregisteredEmail_FailsWithAClearMessage()
    {
        await TestAccount.CreateAsync(factory);

        var result = await ServerCommand.RunAsync(factory.DataFolder, "admin", "create", "nobody@example.com");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("No account is registered with 'nobody@example.com'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminRevoke_TakesTheRoleAway_AtTheNextRequest()
    {
        var admin = await factory.CreateAdminAsync();

        var result = await ServerCommand.RunAsync(factory.DataFolder, "admin", "revoke", admin.Email);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        using var response = await admin.Client.GetAsync("/admin/api/users");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var again = await ServerCommand.RunAsync(factory.DataFolder, "admin", "revoke", admin.Email);
        Assert.Equal(1, again.ExitCode);
    }

    [Fact]
    public async Task AdminCommands_AreAudited_AndKeepTheChainIntact()
    {
        var account = await TestAccount.CreateAsync(factory);
        var created = await ServerCommand.RunAsync(factory.DataFolder, "admin", "create", account.Email);
        Assert.True(created.ExitCode == 0, created.Output + created.Error);

        var verify = await ServerCommand.RunAsync(factory.DataFolder, "audit", "verify");

        Assert.True(verify.ExitCode == 0, verify.Output + verify.Error);
        Assert.Matches(@"^Checked \d+ events in \d+ chains: intact\.", verify.Output);
        using var events = await account.Client.GetAsync("/api/events");
        Assert.Equal(9106, (int?)(await events.ExpectObjectAsync()).RequireArray("data")[0]!["type"]);
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("admin", "create")]
    [InlineData("admin", "promote", "a@example.com")]
    [InlineData("audit", "verify", "extra")]
    public async Task ServerCommands_WithBadUsage_ExitTwo(params string[] args)
    {
        var result = await ServerCommand.RunAsync(factory.DataFolder, args);

        Assert.Equal(2, result.ExitCode);
    }
}
