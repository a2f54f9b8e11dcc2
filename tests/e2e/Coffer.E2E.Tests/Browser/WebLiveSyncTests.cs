using Coffer.E2E.Tests.Harness;
using Microsoft.Playwright;

namespace Coffer.E2E.Tests.Browser;

/// <summary>
/// Live sync: an open web vault follows changes made on another device through the notifications hub, without the
/// Sync button.
/// </summary>
public sealed class WebLiveSyncTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string NewPasswordVariable = "COFFER_E2E_NEW_PASSWORD";

    // Generous: the first connection, the debounce and a full sync on a busy two-core machine.
    private static readonly LocatorAssertionsToHaveCountOptions Patiently = new() { Timeout = 30_000 };

    [Fact]
    public async Task ItemAddedByCoffer_AppearsInTheOpenBrowserList_WithoutPressingSync_AndKeepsTheSearch()
    {
        var account = TestAccount.CreateUnique();
        await VaultSeeder.SeedAsync(fixture.E2E.Server.BaseAddress, fixture.E2E.Certificates.CaPemPath, account.Email, account.Password, 2, 0);
        var coffer = fixture.E2E.NewCoffer(account);
        await coffer.LoginAsync(fixture.Url);
        var web = await WebVault.OpenAsync(fixture);
        await web.LoginAsync(account.Email, account.Password);
        await web.Field("Search vault").FillAsync("pay");
        await Assertions.Expect(web.ListNames).ToHaveCountAsync(0);

        await coffer.OkAsync("coffer add login", "add", "login", "--name", "Payroll", "--username", "grace", "--password", "p4yroll-Pa55");
        await Assertions.Expect(web.ListNames.GetByText("Payroll", new() { Exact = true })).ToHaveCountAsync(1, Patiently);
        await coffer.OkAsync("coffer add login", "add", "login", "--name", "Pay slips", "--username", "grace", "--password", "sl1ps-Pa55");
        await Assertions.Expect(web.ListNames).ToHaveCountAsync(2, Patiently);

        Assert.Equal("pay", await web.Field("Search vault").InputValueAsync());
        Assert.Equal(["Pay slips", "Payroll"], (await web.ListNames.AllInnerTextsAsync()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task MasterPasswordChangedByCoffer_LogsTheOpenBrowserOut()
    {
        var account = TestAccount.CreateUnique();
        await VaultSeeder.SeedAsync(fixture.E2E.Server.BaseAddress, fixture.E2E.Certificates.CaPemPath, account.Email, account.Password, 1, 0);
        var coffer = fixture.E2E.NewCoffer(account);
        await coffer.LoginAsync(fixture.Url);
        var web = await WebVault.OpenAsync(fixture);
        await web.LoginAsync(account.Email, account.Password);

        coffer.ExtraEnvironment[NewPasswordVariable] = account.Password + "-changed";
        await coffer.OkAsync("coffer account password", "account", "password", "--new-passwordenv", NewPasswordVariable);

        await Assertions.Expect(web.Heading("Log in")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        Assert.Equal(0, await web.List.CountAsync());
    }
}
