using System.Text.RegularExpressions;
using Coffer.E2E.Tests.Harness;
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
}
