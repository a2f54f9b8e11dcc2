using Microsoft.Playwright;

namespace Coffer.E2E.Tests.Browser;

/// <summary>
/// Passkeys and security keys in real Chromium with its virtual authenticator (<c>bitwarden-sharing-features.md</c>
/// §5): a passkey created in the web vault logs in and, through PRF, unlocks the vault with no master password; one
/// without PRF logs in and leaves the unlock to the master password; removed, it logs in no more. A security key
/// registered in settings is asked for after the master password (provider 7) until it is removed, and so are e-mailed
/// codes (provider 1) once turned on with the code mailed for the purpose.
/// </summary>
public sealed class WebPasskeyTests(PasskeyBrowserFixture fixture) : IClassFixture<PasskeyBrowserFixture>
{
    [Fact]
    public async Task PasskeyWithPrf_CreatedInTheBrowser_UnlocksTheVaultWithoutTheMasterPassword_UntilRemoved()
    {
        var (account, web) = await LoggedInAsync(prf: true);
        var passkeys = await CreatePasskeyAsync(web, "Virtual authenticator", account.Password);
        await Assertions.Expect(passkeys).ToContainTextAsync("it logs in and unlocks the vault");
        await Assertions.Expect(passkeys.GetByTestId("passkey")).ToContainTextAsync("Virtual authenticator Unlocks the vault");

        await LogOutAsync(web);
        await web.Button("Log in with passkey").ClickAsync();
        await web.WaitForListAsync();
        Assert.Equal(["Login 0000"], await web.NamesInListAsync());

        await web.NavigateAsync("Settings");
        passkeys = web.Section("Passkeys");
        await passkeys.GetByLabel("Master password", new() { Exact = true }).Last.FillAsync(account.Password);
        await passkeys.GetByRole(AriaRole.Button, new() { Name = "Remove passkey" }).ClickAsync();
        await Assertions.Expect(passkeys).ToContainTextAsync("No passkeys yet.");

        await LogOutAsync(web);
        await web.Button("Log in with passkey").ClickAsync();
        await Assertions.Expect(web.Alert).ToContainTextAsync("Invalid credential.");
        await Assertions.Expect(web.Heading("Log in")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task PasskeyWithPrf_AfterAKeyRotationInTheBrowser_StillUnlocksTheVault_WithTheNewKey()
    {
        var (account, web) = await LoggedInAsync(prf: true);
        var passkeys = await CreatePasskeyAsync(web, "Rotated authenticator", account.Password);
        await Assertions.Expect(passkeys).ToContainTextAsync("it logs in and unlocks the vault");

        // The rotation re-wraps the new user key to the passkey's key set, without the passkey.
        var confirm = await WebHostileRotationTests.StartRotationAsync(web, account.Password);
        await Assertions.Expect(confirm).ToContainTextAsync("Your passkey with log-in encryption keeps unlocking your vault.");
        await web.Button("Rotate key").ClickAsync();
        await Assertions.Expect(web.Section("Rotate your account's encryption key")).ToContainTextAsync("Your account's encryption key was rotated: 1 item re-encrypted.");

        await LogOutAsync(web);
        await web.Button("Log in with passkey").ClickAsync();
        await web.WaitForListAsync();
        Assert.Equal(["Login 0000"], await web.NamesInListAsync());
        await web.OpenItemAsync("Login 0000");
        Assert.StartsWith("Pa55-0000-", await web.ItemValueAsync("Password"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PasskeyWithoutPrf_LogsIn_ThenTheMasterPasswordUnlocks()
    {
        var (account, web) = await LoggedInAsync(prf: false);
        var passkeys = await CreatePasskeyAsync(web, "No PRF", account.Password);
        await Assertions.Expect(passkeys).ToContainTextAsync("cannot unlock the vault");

        await LogOutAsync(web);
        await web.Button("Log in with passkey").ClickAsync();
        await web.Heading("Your vault is locked").WaitForAsync();
        await Assertions.Expect(web.Page.GetByText($"Logged in as {account.Email.ToLowerInvariant()}.")).ToBeVisibleAsync();
        await web.Field("Master password").FillAsync(account.Password);
        await web.Button("Unlock").ClickAsync();
        await web.WaitForListAsync();
        Assert.Equal(["Login 0000"], await web.NamesInListAsync());
    }

    [Fact]
    public async Task SecurityKey_RegisteredInTheBrowser_IsAskedAfterThePassword_UntilRemoved()
    {
        var (account, web) = await LoggedInAsync(prf: false);
        var keys = await OpenSecurityKeysAsync(web, account.Password);
        await keys.GetByLabel("Security key name", new() { Exact = true }).FillAsync("Virtual key");
        await keys.GetByRole(AriaRole.Button, new() { Name = "Register security key" }).ClickAsync();
        await Assertions.Expect(keys).ToContainTextAsync("Security key registered");
        await Assertions.Expect(keys.GetByTestId("security-key")).ToContainTextAsync("Virtual key");

        await LogOutAsync(web);
        await web.SubmitLoginAsync(account.Email, account.Password);
        await web.Heading("Two-step login").WaitForAsync();
        await Assertions.Expect(web.Field("Method")).ToHaveValueAsync("7");
        await web.Button("Continue").ClickAsync();
        await web.WaitForListAsync();
        Assert.Equal(["Login 0000"], await web.NamesInListAsync());

        keys = await OpenSecurityKeysAsync(web, account.Password);
        await keys.GetByRole(AriaRole.Button, new() { Name = "Remove Virtual key" }).ClickAsync();
        await Assertions.Expect(keys).ToContainTextAsync("No security keys yet.");
        await LogOutAsync(web);
        await web.LoginAsync(account.Email, account.Password);
    }

    [Fact]
    public async Task EmailCodes_TurnedOnWithTheMailedCode_AreAskedAfterThePassword_UntilTurnedOff()
    {
        var (account, web) = await LoggedInAsync(prf: false);
        var codes = await OpenEmailCodesAsync(web, account.Password);
        await Assertions.Expect(codes.GetByLabel("Send login codes to", new() { Exact = true })).ToHaveValueAsync(account.Email);
        await codes.GetByRole(AriaRole.Button, new() { Name = "Send code" }).ClickAsync();
        var setup = await fixture.Sink.WaitForAsync(account.Email, m => m.Subject.StartsWith("Confirm two-step login", StringComparison.Ordinal));
        await codes.GetByLabel("Code from the e-mail", new() { Exact = true }).FillAsync(CodeIn(setup.Text));
        await codes.GetByRole(AriaRole.Button, new() { Name = "Turn on" }).ClickAsync();
        await Assertions.Expect(codes).ToContainTextAsync("E-mail codes are on");

        await LogOutAsync(web);
        await web.SubmitLoginAsync(account.Email, account.Password);
        await web.Heading("Two-step login").WaitForAsync();
        await Assertions.Expect(web.Field("Method")).ToHaveValueAsync("1");
        var login = await fixture.Sink.WaitForAsync(account.Email, m => m.Subject == "Your Coffer login code");
        await web.Field("E-mail code").FillAsync(CodeIn(login.Text));
        await web.Button("Continue").ClickAsync();
        await web.WaitForListAsync();

        codes = await OpenEmailCodesAsync(web, account.Password);
        await codes.GetByRole(AriaRole.Button, new() { Name = "Turn off e-mail codes" }).ClickAsync();
        await Assertions.Expect(codes).ToContainTextAsync("E-mail codes are off.");
        await LogOutAsync(web);
        await web.LoginAsync(account.Email, account.Password);
    }

    /// <summary>A new account with one item, logged in with its password in a page with a virtual authenticator.</summary>
    private async Task<(Harness.TestAccount Account, WebVault Web)> LoggedInAsync(bool prf)
    {
        var account = Harness.TestAccount.CreateUnique();
        await VaultSeeder.SeedAsync(fixture.Server.BaseAddress, fixture.Certificates.CaPemPath, account.Email, account.Password, 1, 0);
        var web = new WebVault(await fixture.NewPageWithAuthenticatorAsync(prf));
        await web.LoginAsync(account.Email, account.Password);
        return (account, web);
    }

    /// <summary>Settings → Passkeys → Create passkey; returns the section.</summary>
    private static async Task<ILocator> CreatePasskeyAsync(WebVault web, string name, string password)
    {
        await web.NavigateAsync("Settings");
        var passkeys = web.Section("Passkeys");
        await passkeys.GetByLabel("Passkey name", new() { Exact = true }).FillAsync(name);
        await passkeys.GetByLabel("Master password", new() { Exact = true }).First.FillAsync(password);
        await passkeys.GetByRole(AriaRole.Button, new() { Name = "Create passkey" }).ClickAsync();
        return passkeys;
    }

    private static string CodeIn(string mail) => System.Text.RegularExpressions.Regex.Match(mail, @"code is: (\S+)").Groups[1].Value;

    private static async Task<ILocator> OpenEmailCodesAsync(WebVault web, string password)
    {
        await web.NavigateAsync("Settings");
        var codes = web.Section("E-mail codes");
        await codes.GetByLabel("Master password", new() { Exact = true }).FillAsync(password);
        await codes.GetByRole(AriaRole.Button, new() { Name = "Manage e-mail codes" }).ClickAsync();
        await Assertions.Expect(codes.GetByRole(AriaRole.Button, new() { Name = "Manage e-mail codes" })).ToHaveCountAsync(0);
        return codes;
    }

    private static async Task<ILocator> OpenSecurityKeysAsync(WebVault web, string password)
    {
        await web.NavigateAsync("Settings");
        var keys = web.Section("Security keys");
        await keys.GetByLabel("Master password", new() { Exact = true }).FillAsync(password);
        await keys.GetByRole(AriaRole.Button, new() { Name = "Manage security keys" }).ClickAsync();
        await keys.GetByRole(AriaRole.Button, new() { Name = "Register security key" }).WaitForAsync();
        return keys;
    }

    private static async Task LogOutAsync(WebVault web)
    {
        await web.NavigateAsync("Settings");
        await web.Button("Log out of this browser").ClickAsync();
        await web.Heading("Log in").WaitForAsync();
    }
}
