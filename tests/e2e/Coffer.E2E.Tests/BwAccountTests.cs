using Coffer.E2E.Tests.Harness;

namespace Coffer.E2E.Tests;

/// <summary>Logging the official CLI in and out of an account that `coffer register` created.</summary>
public sealed class BwAccountTests(E2EFixture fixture) : IClassFixture<E2EFixture>
{
    [Fact]
    public async Task BwLogin_ToAccountRegisteredByCoffer_UnlocksAndSyncs_ThenLogoutForgetsIt()
    {
        var account = TestAccount.CreateUnique();
        var bw = await fixture.RegisterAndLoginBwAsync(account);

        await bw.OkAsync("bw sync", "sync");
        await bw.OkAsync("bw sync --force", "sync", "--force");
        var status = await bw.JsonAsync("bw status (logged in)", "status");
        var items = await bw.JsonAsync("bw list items (new vault)", "list", "items");
        await bw.LogoutAsync();
        var afterLogout = await bw.JsonAsync("bw status (logged out)", "status");

        Assert.Equal("unlocked", status.Text("status"));
        Assert.Equal(account.Email, status.Text("userEmail"));
        Assert.Equal(fixture.Server.Url, status.Text("serverUrl")?.TrimEnd('/'));
        Assert.NotNull(status.Text("lastSync"));
        Assert.Empty(items.Items());
        Assert.Equal("unauthenticated", afterLogout.Text("status"));
    }

    [Fact]
    public async Task BwLogin_WithWrongPassword_FailsWithoutASessionKey()
    {
        var account = TestAccount.CreateUnique();
        await fixture.NewCoffer(account).RegisterAsync(fixture.Server.Url);
        var bw = fixture.NewBw(account with { Password = account.Password + "-wrong" });
        await bw.OkAsync("bw config server", "config", "server", fixture.Server.Url);

        var login = await bw.FailsAsync("bw login (wrong password)", "login", account.Email, "--passwordenv", BwClient.PasswordVariable, "--raw");
        var status = await bw.JsonAsync("bw status", "status");

        Assert.True(login.StdOut.Trim().Length == 0, bw.Explain("bw login (wrong password)", "printed something on stdout", login));
        Assert.Equal("unauthenticated", status.Text("status"));
    }
}
