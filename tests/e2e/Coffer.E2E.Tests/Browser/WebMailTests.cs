using System.Text.RegularExpressions;
using Coffer.E2E.Tests.Harness;
using Microsoft.Playwright;

namespace Coffer.E2E.Tests.Browser;

/// <summary>
/// The web vault's screens that mailed links open, against a server of their own that mails through MailSink (same
/// CA and certificate as the fixture's, so Chromium trusts it): sign-up finished from the verification link, and the
/// master password hint asked for from the log-in screen.
/// </summary>
public sealed class WebMailTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task SignUp_WithEmailVerification_IsFinishedFromTheMailedLink()
    {
        await using var sink = await MailSink.StartAsync();
        await using var server = await StartServerAsync(sink, verifyEmail: true);
        var account = TestAccount.CreateUnique();
        var page = await fixture.NewPageAsync();
        var web = new WebVault(page);

        await page.GotoAsync(server.Url + "/#/register");
        await web.Field("Email address").FillAsync(account.Email);
        await web.Field("Master password").FillAsync(account.Password);
        await Assertions.Expect(page.GetByTestId("strength-label")).ToHaveTextAsync(new Regex("^Strength: "));
        await web.Field("Confirm master password").FillAsync(account.Password);
        await web.Button("Create account").ClickAsync();
        await Assertions.Expect(page.GetByText("Check your e-mail")).ToBeVisibleAsync();

        var mail = await sink.WaitForAsync(account.Email);
        var link = Assert.Single(mail.Links);
        Assert.StartsWith(server.Url + "/#/finish-signup?", link, StringComparison.Ordinal);
        await page.GotoAsync(link);
        await web.Heading("Finish creating your account").WaitForAsync();
        Assert.Equal(account.Email, await web.Field("Email address").InputValueAsync());
        Assert.False(await web.Field("Email address").IsEditableAsync());
        await web.Field("Master password").FillAsync(account.Password);
        await Assertions.Expect(page.GetByTestId("strength-label")).ToHaveTextAsync(new Regex("^Strength: "));
        await web.Field("Confirm master password").FillAsync(account.Password);
        await web.Button("Create account").ClickAsync();
        await web.WaitForListAsync();
        await Screenshots.SaveAsync(page, "finish-signup-done");
    }

    [Fact]
    public async Task PasswordHint_AskedFromTheLoginScreen_IsMailed()
    {
        await using var sink = await MailSink.StartAsync();
        await using var server = await StartServerAsync(sink, verifyEmail: false);
        var account = TestAccount.CreateUnique();
        var page = await fixture.NewPageAsync();
        var web = new WebVault(page);
        await page.GotoAsync(server.Url + "/#/register");
        await web.Field("Email address").FillAsync(account.Email);
        await web.Field("Master password").FillAsync(account.Password);
        await Assertions.Expect(page.GetByTestId("strength-label")).ToHaveTextAsync(new Regex("^Strength: "));
        await web.Field("Confirm master password").FillAsync(account.Password);
        await web.Field("Master password hint (optional)").FillAsync("the old oak");
        await web.Button("Create account").ClickAsync();
        await web.WaitForListAsync();

        var other = await fixture.NewPageAsync();
        var fresh = new WebVault(other);
        await other.GotoAsync(server.Url + "/#/login");
        await other.GetByRole(AriaRole.Link, new() { Name = "Get your master password hint" }).ClickAsync();
        await fresh.Heading("Master password hint").WaitForAsync();
        await fresh.Field("Email address").FillAsync(account.Email);
        await fresh.Button("Send the hint").ClickAsync();
        await Assertions.Expect(other.GetByText("it is on its way")).ToBeVisibleAsync();
        await Screenshots.SaveAsync(other, "password-hint");

        var mail = await sink.WaitForAsync(account.Email);
        Assert.Equal("Your master password hint", mail.Subject);
        Assert.Contains("the old oak", mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(account.Password, mail.Text + mail.Html, StringComparison.Ordinal);
    }

    private Task<ServerProcess> StartServerAsync(MailSink sink, bool verifyEmail)
    {
        var environment = new Dictionary<string, string?>(sink.Environment)
        {
            ["Coffer__Registration__VerifyEmail"] = verifyEmail ? "true" : "false",
        };
        return ServerProcess.StartAsync(fixture.E2E.Certificates, fixture.E2E.NewScratchFolder(), environment);
    }
}
