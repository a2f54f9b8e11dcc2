using System.Text.RegularExpressions;
using Coffer.E2E.Tests.Harness;
using Coffer.Protocol.Crypto;
using Microsoft.Playwright;

namespace Coffer.E2E.Tests.Browser;

/// <summary>The account in the web vault: sign-up, log in, lock and log in again after the master password changed.</summary>
public sealed class WebAccountTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Register_ShowsTheStrengthMeter_ThenOpensAnEmptyVault_AndTheAccountLogsInAgain()
    {
        var account = TestAccount.CreateUnique();
        var web = await WebVault.OpenAsync(fixture);
        await web.Page.GotoAsync("/#/register");
        await Screenshots.SaveAsync(web.Page, "register");

        await web.Field("Email address").FillAsync(account.Email);
        await web.Field("Master password").FillAsync("password");
        await Assertions.Expect(web.Page.GetByTestId("strength-label")).ToHaveTextAsync(new Regex("^Strength: "));
        var weak = await web.Page.GetByTestId("strength-label").InnerTextAsync();
        var weakScore = await web.Page.Locator("meter#strength-meter").EvaluateAsync<double>("m => m.value");
        await web.Field("Master password").FillAsync(account.Password);
        await Assertions.Expect(web.Page.GetByTestId("strength-label")).Not.ToHaveTextAsync(weak);
        var strongScore = await web.Page.Locator("meter#strength-meter").EvaluateAsync<double>("m => m.value");
        await web.Field("Confirm master password").FillAsync(account.Password);
        await web.Button("Create account").ClickAsync();
        await web.WaitForListAsync();
        var emptyText = await web.List.InnerTextAsync();

        var again = await WebVault.OpenAsync(fixture);
        await again.LoginAsync(account.Email, account.Password);

        Assert.StartsWith("Strength:", weak, StringComparison.Ordinal);
        Assert.True(strongScore > weakScore, $"meter {weakScore} for 'password', {strongScore} for the real one");
        Assert.Contains("No items to show.", emptyText, StringComparison.Ordinal);
        Assert.Equal(0, await again.ListNames.CountAsync());
    }

    [Fact]
    public async Task Login_WithAWrongMasterPassword_ShowsAnError_AndStaysOnTheLoginForm()
    {
        var account = TestAccount.CreateUnique();
        await fixture.E2E.NewCoffer(account).RegisterAsync(fixture.Url);
        var web = await WebVault.OpenAsync(fixture);

        await web.SubmitLoginAsync(account.Email, account.Password + "x");
        await web.Alert.WaitForAsync();
        await Screenshots.SaveAsync(web.Page, "login-error");

        Assert.NotEmpty(await web.Alert.InnerTextAsync());
        Assert.True(await web.Heading("Log in").IsVisibleAsync());
        Assert.Equal(0, await web.List.CountAsync());
    }

    [Fact]
    public async Task ChangeMasterPassword_EndsTheSession_ThenOnlyTheNewPasswordLogsIn_AndTheItemsStayReadable()
    {
        var account = TestAccount.CreateUnique();
        await VaultSeeder.SeedAsync(fixture.E2E.Server.BaseAddress, fixture.E2E.Certificates.CaPemPath, account.Email, account.Password, 2, 0);
        var changed = account with { Password = $"New-Horse-{Guid.NewGuid():N}" };
        var web = await WebVault.OpenAsync(fixture);
        await web.LoginAsync(account.Email, account.Password);

        await web.NavigateAsync("Settings");
        await Screenshots.SaveAsync(web.Page, "settings");
        var section = web.Section("Change master password");
        await section.GetByLabel("Current master password", new() { Exact = true }).FillAsync(account.Password);
        await section.GetByLabel("New master password", new() { Exact = true }).FillAsync(changed.Password);
        await section.GetByLabel("Confirm new master password", new() { Exact = true }).FillAsync(changed.Password);
        await section.GetByRole(AriaRole.Button, new() { Name = "Change master password" }).ClickAsync();
        await web.Heading("Log in").WaitForAsync();

        await web.SubmitLoginAsync(account.Email, account.Password);
        await web.Alert.WaitForAsync();
        var oldRefused = await web.List.CountAsync() == 0;
        await web.LoginAsync(changed.Email, changed.Password);
        var names = await web.NamesInListAsync();
        var stored = await ServerVault.ReadAsync(fixture, changed);

        Assert.True(oldRefused);
        Assert.Equal(["Login 0000", "Note 0001"], names.Order(StringComparer.Ordinal));
        Assert.Equal(["Login 0000", "Note 0001"], stored.Items.Select(i => i.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TwoStepLogin_TurnedOnWithTheQrCode_ThenLoginAsksForTheAuthenticatorCode()
    {
        var account = TestAccount.CreateUnique();
        await VaultSeeder.SeedAsync(fixture.E2E.Server.BaseAddress, fixture.E2E.Certificates.CaPemPath, account.Email, account.Password, 1, 0);
        var web = await WebVault.OpenAsync(fixture);
        await web.LoginAsync(account.Email, account.Password);
        await web.NavigateAsync("Settings");
        var section = web.Section("Two-step login");
        await section.GetByLabel("Master password", new() { Exact = true }).FillAsync(account.Password);
        await section.GetByRole(AriaRole.Button, new() { Name = "Set up authenticator app" }).ClickAsync();

        var qr = section.GetByRole(AriaRole.Img);
        await qr.WaitForAsync();
        await Screenshots.SaveAsync(web.Page, "two-step-setup");
        var key = (await section.GetByTestId("authenticator-key").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal);
        var qrSource = await qr.GetAttributeAsync("src");
        var secret = Base32.Decode(key);
        await section.GetByLabel("Verification code", new() { Exact = true }).FillAsync(Totp.Compute(secret, TimeProvider.System.GetUtcNow()));
        await section.GetByRole(AriaRole.Button, new() { Name = "Turn on" }).ClickAsync();
        await Assertions.Expect(section).ToContainTextAsync("Two-step login is on.");

        var again = await WebVault.OpenAsync(fixture);
        await again.SubmitLoginAsync(account.Email, account.Password);
        await again.Heading("Two-step login").WaitForAsync();
        var listBeforeCode = await again.List.CountAsync();
        // The next step's code: the one used to turn two-step login on may not be replayed, and the server accepts
        // a neighbouring step.
        await again.Field("Authenticator code").FillAsync(Totp.Compute(secret, TimeProvider.System.GetUtcNow().AddSeconds(Totp.StepSeconds)));
        await again.Button("Continue").ClickAsync();
        await again.WaitForListAsync();

        Assert.StartsWith("data:image/png;base64,", qrSource, StringComparison.Ordinal);
        Assert.Equal(20, secret.Length);
        Assert.Equal(0, listBeforeCode);
        Assert.Equal(["Login 0000"], await again.NamesInListAsync());
    }

    [Fact]
    public async Task IdleTimeout_LocksTheVault_DropsTheItemsFromThePage_AndTheMasterPasswordUnlocksIt()
    {
        var account = TestAccount.CreateUnique();
        await VaultSeeder.SeedAsync(fixture.E2E.Server.BaseAddress, fixture.E2E.Certificates.CaPemPath, account.Email, account.Password, 3, 0);
        var web = await WebVault.OpenAsync(fixture, fakeClock: true);
        await web.LoginAsync(account.Email, account.Password);
        await web.NavigateAsync("Settings");
        await web.Field("Lock after").SelectOptionAsync(new SelectOptionValue { Label = "1 minute" });
        await web.NavigateAsync("Vault");
        await web.WaitForListAsync();
        var before = await web.NamesInListAsync();

        // Two idle minutes pass on the page's clock: every timer due in them fires, as it would in real time.
        await web.Page.Clock.RunForAsync(2 * 60_000);
        await web.Heading("Your vault is locked").WaitForAsync();
        var html = await web.Page.ContentAsync();
        var storage = await web.Page.EvaluateAsync<string>("() => JSON.stringify([{ ...localStorage }, { ...sessionStorage }])");
        await web.Page.EvaluateAsync("() => { location.hash = '#/vault'; }");
        await web.Heading("Your vault is locked").WaitForAsync();
        var stillLocked = await web.List.CountAsync() == 0;

        await web.Field("Master password").FillAsync(account.Password);
        await web.Button("Unlock").ClickAsync();
        await web.WaitForListAsync();

        Assert.Equal(["Card 0002", "Login 0000", "Note 0001"], before.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("Login 0000", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Note 0001", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Login 0000", storage, StringComparison.Ordinal);
        Assert.True(stillLocked);
        Assert.Equal(before.Order(StringComparer.Ordinal), (await web.NamesInListAsync()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Unlock_WithAWrongMasterPassword_IsRefused_AndTheRightOneOpensTheVault()
    {
        var account = TestAccount.CreateUnique();
        await VaultSeeder.SeedAsync(fixture.E2E.Server.BaseAddress, fixture.E2E.Certificates.CaPemPath, account.Email, account.Password, 2, 0);
        var web = await WebVault.OpenAsync(fixture);
        await web.LoginAsync(account.Email, account.Password);
        await web.LockAsync();

        await web.Field("Master password").FillAsync(account.Password + "x");
        await web.Button("Unlock").ClickAsync();
        await web.Alert.WaitForAsync();
        var refused = await web.Alert.InnerTextAsync();
        var listAfterWrong = await web.List.CountAsync();
        await web.Field("Master password").FillAsync(account.Password);
        await web.Button("Unlock").ClickAsync();
        await web.WaitForListAsync();

        Assert.Contains("Invalid master password", refused, StringComparison.Ordinal);
        Assert.Equal(0, listAfterWrong);
        Assert.Equal(["Login 0000", "Note 0001"], (await web.NamesInListAsync()).Order(StringComparer.Ordinal));
    }
}
