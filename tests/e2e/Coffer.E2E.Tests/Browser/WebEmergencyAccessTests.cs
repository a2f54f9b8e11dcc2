using Coffer.E2E.Tests.Harness;
using Microsoft.Playwright;

namespace Coffer.E2E.Tests.Browser;

/// <summary>
/// Emergency access between two accounts, each in its own browser context, through Settings → Emergency access only:
/// invite (the test server sends no mail, so an existing account is accepted at once), confirm after the grantee's
/// fingerprint phrase, request, approve, read an item of the grantor's vault; then a takeover grant, after which the
/// grantor's old master password is refused and the new one opens the same vault.
/// </summary>
public sealed class WebEmergencyAccessTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private Uri Server => fixture.E2E.Server.BaseAddress;

    private string Ca => fixture.E2E.Certificates.CaPemPath;

    [Fact]
    public async Task ViewThenTakeover_BetweenTwoAccounts_TheOldPasswordIsRefusedAfterwards()
    {
        var grantor = await VaultSeeder.SeedAsync(Server, Ca, TestAccount.CreateUnique().Email, TestAccount.CreateUnique().Password, 1, 0);
        var grantee = await VaultSeeder.SeedAsync(Server, Ca, TestAccount.CreateUnique().Email, TestAccount.CreateUnique().Password, 0, 0);
        var item = grantor.Items[0].Item;

        var granteeWeb = await OpenEmergencyAsync(grantee.Email, grantee.Password);
        var phrase = (await granteeWeb.Page.GetByTestId("own-fingerprint-phrase").InnerTextAsync()).Trim();
        Assert.Equal(5, phrase.Split('-').Length);
        var grantorWeb = await OpenEmergencyAsync(grantor.Email, grantor.Password);

        // View access: invite, confirm after the phrase, request, approve, read.
        await InviteAndConfirmAsync(grantorWeb, grantee.Email, "View: read my items", phrase, grantor.Password);
        await RequestAsync(granteeWeb, grantor.Email);
        await ApproveAsync(grantorWeb, grantee.Email);
        await ReloadAsync(granteeWeb);
        await granteeWeb.Button($"View the vault of {grantor.Email}").ClickAsync();
        await granteeWeb.Heading("Entrusted vault").WaitForAsync();
        await granteeWeb.Page.GetByTestId("emergency-items").GetByRole(AriaRole.Link, new() { Name = item.Name, Exact = true }).ClickAsync();
        await granteeWeb.Heading(item.Name).WaitForAsync();
        Assert.Equal(item.Login!.Password, await granteeWeb.ItemValueAsync("Password"));
        Assert.Equal(item.Login.Username, await granteeWeb.ItemValueAsync("Username"));
        await Assertions.Expect(granteeWeb.Button("Edit")).ToHaveCountAsync(0);

        // Rejected: the grant is back to Confirmed and the grantee has no way in.
        await grantorWeb.Button($"Reject access for {grantee.Email}").ClickAsync();
        await Assertions.Expect(Row(grantorWeb, grantee.Email)).ToContainTextAsync("Confirmed");
        await OpenSettingsAsync(granteeWeb);
        await Assertions.Expect(granteeWeb.Button($"View the vault of {grantor.Email}")).ToHaveCountAsync(0);
        await granteeWeb.Page.GotoAsync(granteeWeb.Page.Url.Split('#')[0] + "#/settings/emergency/view/" + await GrantIdAsync(granteeWeb, grantor.Email));
        await Assertions.Expect(granteeWeb.Alert).ToBeVisibleAsync();

        // Takeover access replaces it.
        await OpenSettingsAsync(grantorWeb);
        await grantorWeb.Button($"Remove {grantee.Email}").ClickAsync();
        await Assertions.Expect(Row(grantorWeb, grantee.Email)).ToHaveCountAsync(0);
        await InviteAndConfirmAsync(grantorWeb, grantee.Email, "Takeover: set a new master password for my account", phrase, grantor.Password);
        await OpenSettingsAsync(granteeWeb);
        await RequestAsync(granteeWeb, grantor.Email);
        await ApproveAsync(grantorWeb, grantee.Email);
        await ReloadAsync(granteeWeb);
        await granteeWeb.Button($"Take over the account of {grantor.Email}").ClickAsync();
        var newPassword = $"Taken-Over-{Guid.NewGuid():N}";
        await granteeWeb.Field("New master password").FillAsync(newPassword);
        await granteeWeb.Field("New master password again").FillAsync(newPassword);
        await granteeWeb.Button("Take over").ClickAsync();
        await Assertions.Expect(granteeWeb.Page.GetByRole(AriaRole.Status).Filter(new() { HasTextString = "now has the new master password" })).ToBeVisibleAsync();

        // The old password no longer logs in; the new one opens the same items.
        var again = await WebVault.OpenAsync(fixture);
        await again.SubmitLoginAsync(grantor.Email, grantor.Password);
        await Assertions.Expect(again.Alert).ToBeVisibleAsync();
        await again.LoginAsync(grantor.Email, newPassword);
        await again.OpenItemAsync(item.Name);
        Assert.Equal(item.Login.Password, await again.ItemValueAsync("Password"));
    }

    [Fact]
    public async Task InvitationLinkOpenedLoggedOut_AsksToLogIn_ThenComesBackAndSendsTheToken()
    {
        var grantee = await VaultSeeder.SeedAsync(Server, Ca, TestAccount.CreateUnique().Email, TestAccount.CreateUnique().Password, 0, 0);
        var web = await WebVault.OpenAsync(fixture);
        var link = $"/#/accept-emergency/?id={Guid.NewGuid()}&name=Ann%20Example&email={Uri.EscapeDataString(grantee.Email)}&token=not-a-real-token";

        await web.Page.GotoAsync(link);
        await web.Heading("Emergency access invitation").WaitForAsync();
        await Assertions.Expect(web.Page.GetByText("Ann Example has named")).ToBeVisibleAsync();
        await web.Page.GetByRole(AriaRole.Link, new() { Name = "Log in", Exact = true }).ClickAsync();
        await web.Field("Email address").FillAsync(grantee.Email);
        await web.Field("Master password").FillAsync(grantee.Password);
        await web.Button("Log in").ClickAsync();

        // Back on the invitation, which the server refuses: the token is not one it issued for that grant.
        await web.Heading("Emergency access invitation").WaitForAsync();
        await Assertions.Expect(web.Alert).ToBeVisibleAsync();
        await Assertions.Expect(web.Page.GetByTestId("own-fingerprint-phrase")).ToHaveCountAsync(0);
    }

    private async Task<WebVault> OpenEmergencyAsync(string email, string password)
    {
        var web = await WebVault.OpenAsync(fixture);
        web.Page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await web.LoginAsync(email, password);
        await OpenSettingsAsync(web);
        return web;
    }

    private static async Task OpenSettingsAsync(WebVault web)
    {
        await web.NavigateAsync("Settings");
        await web.Page.GetByRole(AriaRole.Link, new() { Name = "Manage emergency access", Exact = true }).ClickAsync();
        await web.Heading("Emergency access").WaitForAsync();
    }

    private static async Task ReloadAsync(WebVault web)
    {
        await web.Page.GetByRole(AriaRole.Link, new() { Name = "← Settings", Exact = true }).ClickAsync();
        await web.Heading("Settings").WaitForAsync();
        await web.Page.GetByRole(AriaRole.Link, new() { Name = "Manage emergency access", Exact = true }).ClickAsync();
        await web.Heading("Emergency access").WaitForAsync();
    }

    private static ILocator Row(WebVault web, string email) => web.Page.GetByRole(AriaRole.Row).Filter(new() { HasTextString = email });

    private static async Task InviteAndConfirmAsync(WebVault grantor, string granteeEmail, string access, string phrase, string password)
    {
        await grantor.Field("Contact e-mail").FillAsync(granteeEmail);
        await grantor.Field("Access").SelectOptionAsync(new SelectOptionValue { Label = access });
        await grantor.Field("Wait time (days)").FillAsync("2");
        await grantor.Button("Invite").ClickAsync();
        await Assertions.Expect(Row(grantor, granteeEmail)).ToContainTextAsync("Accepted");
        await Assertions.Expect(Row(grantor, granteeEmail)).ToContainTextAsync("2 days");

        await grantor.Button($"Confirm {granteeEmail}").ClickAsync();
        await Assertions.Expect(grantor.Page.GetByTestId("fingerprint-phrase")).ToHaveTextAsync(phrase);
        await grantor.TickPhraseComparedAsync(granteeEmail);
        await grantor.Field("Your master password").FillAsync("not my password");
        await grantor.Button("Confirm contact").ClickAsync();
        await Assertions.Expect(grantor.Alert).ToContainTextAsync("Invalid master password");
        await grantor.Field("Your master password").FillAsync(password);
        await grantor.Button("Confirm contact").ClickAsync();
        await Assertions.Expect(Row(grantor, granteeEmail)).ToContainTextAsync("Confirmed");
    }

    private static async Task RequestAsync(WebVault grantee, string grantorEmail)
    {
        await ReloadAsync(grantee);
        await grantee.Button($"Request access to the vault of {grantorEmail}").ClickAsync();
        await Assertions.Expect(Row(grantee, grantorEmail)).ToContainTextAsync("Access requested");
        await Assertions.Expect(grantee.Button($"View the vault of {grantorEmail}")).ToHaveCountAsync(0);
    }

    private static async Task ApproveAsync(WebVault grantor, string granteeEmail)
    {
        await ReloadAsync(grantor);
        await grantor.Button($"Approve access for {granteeEmail}").ClickAsync();
        await Assertions.Expect(Row(grantor, granteeEmail)).ToContainTextAsync("Access granted");
    }

    // The grant's id, as the server lists it to the grantee (for trying the view route by its address).
    private static async Task<string> GrantIdAsync(WebVault web, string grantorEmail) =>
        await web.Page.EvaluateAsync<string>(
            "async (email) => { const s = JSON.parse(sessionStorage.getItem('coffer.session')); const r = await fetch('/api/emergency-access/granted', { headers: { authorization: 'Bearer ' + s.tokens.accessToken } }); return (await r.json()).data.find((g) => g.email === email).id; }",
            grantorEmail);
}
