using Coffer.E2E.Tests.Harness;
using Coffer.Protocol.Crypto;
using Microsoft.Playwright;

namespace Coffer.E2E.Tests.Browser;

/// <summary>
/// The admin screen at /admin, inside the web vault: it hashes the master password with the vault's own crypto (so an
/// Argon2id admin works), asks for a fresh proof before any admin action, and shows a non-admin a refusal.
/// </summary>
public sealed class WebAdminTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Argon2idAdminWithTwoStepLogin_ProvesWithPasswordAndCode_ListsAccounts_AndDisablesOne()
    {
        var target = TestAccount.CreateUnique();
        await fixture.E2E.NewCoffer(target).RegisterAsync(fixture.Url);
        var admin = TestAccount.CreateUnique();
        var web = await WebVault.OpenAsync(fixture);
        await web.RegisterWithArgon2idAsync(admin);
        var secret = await TurnOnTwoStepLoginAsync(web, admin);
        var promoted = await ServerProcess.RunCommandAsync(fixture.E2E.Certificates, fixture.E2E.Server.DataFolder, null, "admin", "create", admin.Email);
        Assert.True(promoted.ExitCode == 0, promoted.StdOut + promoted.StdErr);

        // A new page load: the session survives in this tab, the keys do not, so the vault asks to unlock first.
        await web.Page.GotoAsync("/admin");
        await web.Heading("Your vault is locked").WaitForAsync();
        await web.Field("Master password").FillAsync(admin.Password);
        await web.Button("Unlock").ClickAsync();
        await web.Heading("Confirm it is you").WaitForAsync();
        await web.Field("Master password").FillAsync(admin.Password);
        // The next step's code: the one that turned two-step login on may not be used again.
        await web.Field("Authenticator code").FillAsync(Totp.Compute(secret, TimeProvider.System.GetUtcNow().AddSeconds(Totp.StepSeconds)));
        await web.Button("Confirm").ClickAsync();
        var users = web.Page.GetByTestId("admin-users");
        await Assertions.Expect(users).ToContainTextAsync(target.Email);
        var adminRow = users.Locator("tr", new() { HasTextString = admin.Email });
        var targetRow = users.Locator("tr", new() { HasTextString = target.Email });
        var adminState = await adminRow.InnerTextAsync();

        await web.Button($"Disable: {target.Email}").ClickAsync();
        await Assertions.Expect(targetRow).ToContainTextAsync("user, disabled");
        await Screenshots.SaveAsync(web.Page, "admin");
        // Disabled on the server, not only in the table: its owner's login is refused like a wrong password.
        await Assert.ThrowsAnyAsync<Exception>(() => ServerVault.ReadAsync(fixture, target));

        Assert.Contains("admin, active, 2FA", adminState, StringComparison.Ordinal);
        Assert.True(await web.Button($"Disable: {admin.Email}").IsDisabledAsync());
        Assert.Contains("Intact", await web.Page.GetByTestId("audit-status").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonAdmin_OpeningAdmin_SeesARefusal_AndNoAccounts()
    {
        var account = TestAccount.CreateUnique();
        await fixture.E2E.NewCoffer(account).RegisterAsync(fixture.Url);
        var web = await WebVault.OpenAsync(fixture);

        await web.Page.GotoAsync("/admin");
        await web.Field("Email address").FillAsync(account.Email);
        await web.Field("Master password").FillAsync(account.Password);
        await web.Button("Log in").ClickAsync();
        await web.Heading("Administration").WaitForAsync();
        await Assertions.Expect(web.Alert).ToContainTextAsync("not an admin");
        await Screenshots.SaveAsync(web.Page, "admin-refused");

        Assert.Equal(0, await web.Page.GetByTestId("admin-users").CountAsync());
        Assert.Equal(0, await web.Heading("Confirm it is you").CountAsync());
    }

    /// <summary>Turns two-step login on in Settings, as a person does; returns the authenticator secret.</summary>
    private static async Task<byte[]> TurnOnTwoStepLoginAsync(WebVault web, TestAccount account)
    {
        await web.NavigateAsync("Settings");
        var section = web.Section("Two-step login");
        await section.GetByLabel("Master password", new() { Exact = true }).FillAsync(account.Password);
        await section.GetByRole(AriaRole.Button, new() { Name = "Set up authenticator app" }).ClickAsync();
        var key = (await section.GetByTestId("authenticator-key").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal);
        var secret = Base32.Decode(key);
        await section.GetByLabel("Verification code", new() { Exact = true }).FillAsync(Totp.Compute(secret, TimeProvider.System.GetUtcNow()));
        await section.GetByRole(AriaRole.Button, new() { Name = "Turn on" }).ClickAsync();
        await Assertions.Expect(section).ToContainTextAsync("Two-step login is on.");
        return secret;
    }
}
