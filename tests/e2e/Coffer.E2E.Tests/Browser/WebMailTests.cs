using System.Text.RegularExpressions;
using Coffer.E2E.Tests.Harness;
using Microsoft.Playwright;

namespace Coffer.E2E.Tests.Browser;

/// <summary>
/// The web vault's screens that mailed links open, against a server of their own that mails through MailSink (same
/// CA and certificate as the fixture's, so Chromium trusts it): sign-up finished from the verification link, the
/// master password hint asked for from the log-in screen, and the admin page's test message.
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

        await FillSignUpAsync(web, server, account);
        await web.Button("Create account").ClickAsync();
        await Assertions.Expect(page.GetByText("Check your e-mail")).ToBeVisibleAsync();

        var mail = await sink.WaitForAsync(account.Email);
        var link = Assert.Single(mail.Links);
        Assert.StartsWith(server.Url + "/#/finish-signup?", link, StringComparison.Ordinal);
        await page.GotoAsync(link);
        await web.Heading("Finish creating your account").WaitForAsync();
        Assert.Equal(account.Email, await web.Field("Email address").InputValueAsync());
        Assert.False(await web.Field("Email address").IsEditableAsync());
        await FillPasswordAsync(web, account);
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
        await FillSignUpAsync(web, server, account);
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

    [Fact]
    public async Task AdminPage_ShowsTheMailServer_AndSendsATestMessage_ShowingTheServersRefusal()
    {
        await using var sink = await MailSink.StartAsync();
        await using var server = await StartServerAsync(sink, verifyEmail: false, adminTwoFactor: false);
        var admin = TestAccount.CreateUnique();
        var page = await fixture.NewPageAsync();
        var web = new WebVault(page);
        await FillSignUpAsync(web, server, admin);
        await web.Button("Create account").ClickAsync();
        await web.WaitForListAsync();
        var promoted = await ServerProcess.RunCommandAsync(fixture.E2E.Certificates, server.DataFolder, null, "admin", "create", admin.Email);
        Assert.True(promoted.ExitCode == 0, promoted.StdOut + promoted.StdErr);

        await page.GotoAsync(server.Url + "/admin");
        await web.Heading("Your vault is locked").WaitForAsync();
        await web.Field("Master password").FillAsync(admin.Password);
        await web.Button("Unlock").ClickAsync();
        await web.Heading("Confirm it is you").WaitForAsync();
        await web.Field("Master password").FillAsync(admin.Password);
        await web.Button("Confirm").ClickAsync();
        await Assertions.Expect(page.GetByTestId("mail-status")).ToContainTextAsync($"127.0.0.1:{sink.Port} (None), from coffer@coffer.test");

        await web.Field("Send a test message to").FillAsync("postmaster@coffer.test");
        await web.Button("Send a test message").ClickAsync();
        await Assertions.Expect(page.GetByTestId("mail-test-result")).ToContainTextAsync("took the test message to postmaster@coffer.test");
        Assert.Equal("Coffer test message", (await sink.WaitForAsync("postmaster@coffer.test")).Subject);

        sink.Reject();
        await web.Button("Send a test message").ClickAsync();
        await Assertions.Expect(page.GetByTestId("mail-test-result")).ToContainTextAsync("Not sent: The mail server answered 550");
        await Screenshots.SaveAsync(page, "admin-mail-test");
    }

    /// <summary>The sign-up form of <paramref name="server"/>'s web vault, filled in (not submitted).</summary>
    private static async Task FillSignUpAsync(WebVault web, ServerProcess server, TestAccount account)
    {
        await web.Page.GotoAsync(server.Url + "/#/register");
        await web.Field("Email address").FillAsync(account.Email);
        await FillPasswordAsync(web, account);
    }

    /// <summary>Both password fields, waiting for the strength meter's verdict (else the form asks "weak, use it anyway?").</summary>
    private static async Task FillPasswordAsync(WebVault web, TestAccount account)
    {
        await web.Field("Master password").FillAsync(account.Password);
        await Assertions.Expect(web.Page.GetByTestId("strength-label")).ToHaveTextAsync(new Regex("^Strength: "));
        await web.Field("Confirm master password").FillAsync(account.Password);
    }

    private Task<ServerProcess> StartServerAsync(MailSink sink, bool verifyEmail, bool adminTwoFactor = true)
    {
        var environment = new Dictionary<string, string?>(sink.Environment)
        {
            ["Coffer__Registration__VerifyEmail"] = verifyEmail ? "true" : "false",
            ["Coffer__Admin__RequireTwoFactor"] = adminTwoFactor ? "true" : "false",
        };
        return ServerProcess.StartAsync(fixture.E2E.Certificates, fixture.E2E.NewScratchFolder(), environment);
    }
}
