using Coffer.Client.Crypto;
using Coffer.E2E.Tests.Harness;
using Coffer.Protocol.Crypto;
using Coffer.Testing.Hostile;

namespace Coffer.E2E.Tests.Browser;

/// <summary>
/// The web vault's login and unlock against a malicious server (malicious-server.md BW03, BW07, BW11, BW12): Chromium
/// browses the <see cref="HostileProxy"/> in front of an honest server; each scenario first runs unarmed and must
/// work, then armed it must end in the "Your server sent something unsafe" dialog with the scenario's check code, with
/// nothing secret sent.
/// </summary>
public sealed class WebHostileAccountTests(HostileBrowserFixture fixture) : IClassFixture<HostileBrowserFixture>
{
    [Fact]
    public async Task Disarmed_TheVaultLogsInThroughTheProxy_AndNeitherThePasswordNorTheMasterKeyLeaves()
    {
        var account = TestAccount.CreateUnique();
        await fixture.E2E.NewCoffer(account).RegisterAsync(fixture.E2E.Server.Url);
        fixture.Proxy.Disarm();
        fixture.Proxy.ClearEgress();

        var web = await fixture.OpenVaultAsync();
        await web.LoginAsync(account.Email, account.Password);

        var masterKey = MasterKeys.DeriveMasterKey(account.Password, account.Email, KdfConfig.DefaultPbkdf2);
        Assert.Single(fixture.Proxy.Requests("POST", "^/identity/connect/token$"));
        Assert.NotEmpty(fixture.Proxy.Requests("GET", "^/api/sync$"));
        Assert.Empty(fixture.Proxy.Leaks(Secret.Text("master password", account.Password), Secret.Key("master key", masterKey)));
        Assert.Equal(0, await web.Page.Locator("[data-check]").CountAsync());
    }
}
