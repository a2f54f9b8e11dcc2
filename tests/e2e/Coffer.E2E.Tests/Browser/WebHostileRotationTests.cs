using Coffer.Client.Crypto;
using Coffer.E2E.Tests.Harness;
using Coffer.Protocol.Crypto;
using Coffer.Testing.Hostile;
using Microsoft.Playwright;
using static Coffer.E2E.Tests.Browser.WebHostileOrganizationTests;

namespace Coffer.E2E.Tests.Browser;

/// <summary>
/// The web vault's user key rotation (Settings → Rotate your account's encryption key; account doc §3.3) and its
/// defences (malicious-server.md BW02, §3.13) with the CLI's scenario objects: Chromium browses the
/// <see cref="HostileProxy"/> in front of an honest server. Unarmed, a rotation re-encrypts legacy and keyed items,
/// folders and Sends, re-wraps the new key only for checked emergency contacts, and leaves the vault readable in the
/// browser and by the official bw; armed, rotate-orgkey-swap and ea-pk-swap are refused with nothing sent, and
/// rotate-injected-org is left out and named.
/// </summary>
public sealed class WebHostileRotationTests(HostileBrowserFixture fixture) : IClassFixture<HostileBrowserFixture>
{
    private const string RotationPath = "^/api/accounts/key-management/rotate-user-account-keys$";
    private const string Rotated = "Your account's encryption key was rotated";

    private Uri Server => fixture.E2E.Server.BaseAddress;

    private string Ca => fixture.E2E.Certificates.CaPemPath;

    private HostileProxy Proxy => fixture.Proxy;

    [Fact]
    public async Task HonestRotation_InABrowserThatNeverConfirmedTheContact_AsksForTheirPhrase_AndTheVaultStaysReadableHereAndByBw()
    {
        using var seed = await HostileSeed.CreateAsync(fixture);
        var legacy = await seed.AddLoginAsync("Legacy login", withKey: false);
        var keyed = await seed.AddLoginAsync("Keyed login", withKey: true);
        var grantee = await VaultSeeder.SeedAsync(Server, Ca, TestAccount.CreateUnique().Email, TestAccount.CreateUnique().Password, 0, 0);
        Proxy.Disarm();

        // A folder, a Send and a confirmed emergency contact, made in a first browser.
        var first = await fixture.OpenVaultAsync();
        first.Page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await first.LoginAsync(seed.Account.Email, seed.Account.Password);
        await first.NavigateAsync("Folders");
        await first.Field("New folder name").FillAsync("Kept folder");
        await first.Button("Add folder").ClickAsync();
        await first.Page.GetByRole(AriaRole.Link, new() { Name = "Kept folder", Exact = true }).WaitForAsync();
        await first.NavigateAsync("Send");
        await first.Button("New text Send").ClickAsync();
        await first.Field("Name").FillAsync("Rotated Send");
        await first.Field("Text").FillAsync("s3nd-text");
        await first.Button("Save").ClickAsync();
        await first.Page.GetByTestId("send-link").WaitForAsync();
        await OpenEmergencyAsync(first);
        await InviteContactAsync(first, grantee.Email);
        await ConfirmContactAsync(first, grantee.Email, seed.Account.Password);
        await Assertions.Expect(Row(first, grantee.Email)).ToContainTextAsync("Confirmed");

        // A fresh browser never compared the contact's phrase: the rotation shows it and waits for the tick.
        var web = await fixture.OpenVaultAsync();
        await web.LoginAsync(seed.Account.Email, seed.Account.Password);
        Proxy.ClearEgress();
        var confirm = await StartRotationAsync(web, seed.Account.Password);
        var contact = confirm.Locator($"li[data-grantee=\"{grantee.Email}\"]");
        await Assertions.Expect(contact).ToContainTextAsync("not confirmed in this browser");
        await Assertions.Expect(contact.GetByTestId("rotation-fingerprint-phrase")).Not.ToBeEmptyAsync();
        await web.Button("Rotate key").ClickAsync();
        Assert.Empty(Proxy.Requests("POST", RotationPath));
        await web.TickPhraseComparedAsync(grantee.Email);
        await web.Button("Rotate key").ClickAsync();
        await Assertions.Expect(web.Section("Rotate your account's encryption key")).ToContainTextAsync($"{Rotated}: 2 items re-encrypted.");

        // One request, as the CLI builds it: both items, the folder, the Send and the contact under the new key.
        var request = Assert.Single(Proxy.Requests("POST", RotationPath)).BodyJson()!;
        var unlock = request["accountUnlockData"]!["masterPasswordUnlockData"]!;
        using var newKey = UserKeys.Unlock((string)unlock["masterKeyEncryptedUserKey"]!, seed.Account.Password, seed.Account.Email.ToLowerInvariant(), KdfConfig.DefaultPbkdf2);
        Assert.Equal((string)request["newUserKeyId"]!, (string)unlock["containedKeyId"]!);
        var ciphers = request["accountData"]!["ciphers"]!.AsArray();
        var legacySent = ciphers.Single(c => (string)c!["id"]! == legacy.Id.ToString())!;
        var keyedSent = ciphers.Single(c => (string)c!["id"]! == keyed.Id.ToString())!;
        Assert.Equal(legacy.Password, Open((string)legacySent["login"]!["password"]!, newKey));
        using (var itemKey = new SymmetricKey(EncString.Parse((string)keyedSent["key"]!).Decrypt(newKey)))
        {
            Assert.Equal(keyed.Password, Open((string)keyedSent["login"]!["password"]!, itemKey));
        }

        Assert.Equal("Kept folder", Open((string)request["accountData"]!["folders"]![0]!["name"]!, newKey));
        Assert.Single(request["accountData"]!["sends"]!.AsArray());
        Assert.Single(request["accountUnlockData"]!["emergencyAccessUnlockData"]!.AsArray());
        Assert.Empty(request["accountUnlockData"]!["organizationAccountRecoveryUnlockData"]!.AsArray());
        Assert.Empty(Proxy.Leaks([.. seed.Secrets(legacy, keyed), Secret.Key("new user key", newKey.ToArray())]));

        // This browser logged in again with the new key: the vault, the folder and the Send open, with no warning.
        await web.NavigateAsync("Vault");
        Assert.Equal(["Keyed login", "Legacy login"], (await web.NamesInListAsync()).Order(StringComparer.Ordinal));
        await web.OpenItemAsync("Legacy login");
        Assert.Equal(legacy.Password, await web.ItemValueAsync("Password"));
        await web.NavigateAsync("Send");
        await Assertions.Expect(web.Page.GetByText("Rotated Send", new() { Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(web.Page.Locator("[data-check]")).ToHaveCountAsync(0);

        // The official bw reads the re-encrypted vault.
        var bw = fixture.E2E.NewBw(seed.Account);
        await bw.LoginAsync(fixture.Url);
        Assert.Equal(legacy.Password, (await bw.JsonAsync("bw get item (legacy)", "get", "item", legacy.Id.ToString())).Text("login", "password"));
        Assert.Equal(keyed.Password, (await bw.JsonAsync("bw get item (keyed)", "get", "item", keyed.Id.ToString())).Text("login", "password"));
        Assert.Equal("Kept folder", Assert.Single((await bw.JsonAsync("bw list folders", "list", "folders")).RealFolders()).Text("name"));
    }

    [Fact]
    public async Task RotateOrgKeySwap_ForAnOrganizationCreatedHere_IsRefusedBeforeAnythingIsSent()
    {
        using var seed = await HostileSeed.CreateAsync(fixture);
        var mine = await seed.AddLoginAsync("Mine", withKey: false);
        Proxy.Disarm();
        var web = await fixture.OpenVaultAsync();
        await web.LoginAsync(seed.Account.Email, seed.Account.Password);
        var organization = await CreateOrganizationAsync(web, "Acme");

        // Baseline: a rotation with an organization created here goes through (it is not enrolled in any recovery, so it
        // is not even named), and the organization still opens with its pinned key afterwards.
        await StartRotationAsync(web, seed.Account.Password);
        await Assertions.Expect(web.Page.GetByRole(AriaRole.List, new() { Name = "Organizations left out", Exact = true })).ToHaveCountAsync(0);
        await web.Button("Rotate key").ClickAsync();
        await Assertions.Expect(web.Section("Rotate your account's encryption key")).ToContainTextAsync(Rotated);
        await web.NavigateAsync("Vault");
        await Assertions.Expect(web.Page.Locator("#org-filter option").Filter(new() { HasTextString = "Acme" })).ToHaveCountAsync(1);
        await Assertions.Expect(web.Page.Locator("[data-check]")).ToHaveCountAsync(0);

        using var attacker = new AttackerKeyPair();
        Proxy.ClearEgress();
        Proxy.Arm(OrganizationScenarios.RotateOrgKeySwap(organization, attacker));
        await ContinueRotationAsync(web, seed.Account.Password);
        var refusal = web.Page.Locator("dialog[data-check=org-overwrite]");
        await Assertions.Expect(refusal).ToHaveAttributeAsync("data-kind", "refuse");
        await Assertions.Expect(refusal).ToContainTextAsync("“Acme”");
        await Assertions.Expect(refusal).ToContainTextAsync("The key rotation was stopped before anything was sent.");
        await LogOutWithNothingSentAsync(web, refusal, attacker, seed.Secrets(mine));
    }

    [Fact]
    public async Task RotateInjectedOrg_TheInjectedOrganizationIsNamedAndGetsNoCopyOfTheNewKey_AndTheRotationGoesOn()
    {
        using var seed = await HostileSeed.CreateAsync(fixture);
        var mine = await seed.AddLoginAsync("Mine", withKey: true);
        using var forged = ForgedOrganization.Create("Injected Org");
        Proxy.ClearEgress();
        Proxy.Arm(OrganizationScenarios.RotateInjectedOrg(forged));
        var web = await fixture.OpenVaultAsync();
        await web.LoginAsync(seed.Account.Email, seed.Account.Password);
        var question = web.OrgQuestion(forged.Name);
        await question.GetByRole(AriaRole.Button, new() { Name = "Keep hidden", Exact = true }).ClickAsync();
        await Assertions.Expect(question).ToHaveCountAsync(0);

        await StartRotationAsync(web, seed.Account.Password);
        await Assertions.Expect(web.Page.GetByRole(AriaRole.List, new() { Name = "Organizations left out", Exact = true }))
            .ToContainTextAsync("“Injected Org” is not trusted in this browser: it gets no copy of the new key.");
        await web.Button("Rotate key").ClickAsync();
        await Assertions.Expect(web.Section("Rotate your account's encryption key")).ToContainTextAsync(Rotated);

        var request = Assert.Single(Proxy.Requests("POST", RotationPath)).BodyJson()!;
        Assert.Empty(request["accountUnlockData"]!["organizationAccountRecoveryUnlockData"]!.AsArray());
        Assert.DoesNotContain(forged.Id.ToString(), request.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        Assert.Empty(forged.UsedIn(Proxy.Egress));
        Assert.Empty(Proxy.Leaks(seed.Secrets(mine)));

        Proxy.Disarm();
        await web.NavigateAsync("Vault");
        await web.OpenItemAsync("Mine");
        Assert.Equal(mine.Password, await web.ItemValueAsync("Password"));
    }

    [Fact]
    public async Task EaPkSwap_AtRotation_ForAGranteePinnedAtConfirm_IsRefused_AndTheNewKeyIsNeverWrappedForTheServer()
    {
        using var seed = await HostileSeed.CreateAsync(fixture);
        var mine = await seed.AddLoginAsync("Mine", withKey: false);
        var grantee = await VaultSeeder.SeedAsync(Server, Ca, TestAccount.CreateUnique().Email, TestAccount.CreateUnique().Password, 0, 0);
        using var attacker = new AttackerKeyPair();
        Proxy.Disarm();
        var web = await fixture.OpenVaultAsync();
        web.Page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await web.LoginAsync(seed.Account.Email, seed.Account.Password);
        await OpenEmergencyAsync(web);
        await InviteContactAsync(web, grantee.Email);
        await ConfirmContactAsync(web, grantee.Email, seed.Account.Password);
        await Assertions.Expect(Row(web, grantee.Email)).ToContainTextAsync("Confirmed");
        var granteeId = await UserIdAsync(web, "/api/emergency-access/trusted", grantee.Email, "granteeId");

        // Baseline: the contact confirmed here by phrase gets the new key with no question.
        var confirm = await StartRotationAsync(web, seed.Account.Password);
        await Assertions.Expect(confirm.Locator($"li[data-grantee=\"{grantee.Email}\"]")).ToContainTextAsync("fingerprint phrase confirmed earlier");
        await web.Button("Rotate key").ClickAsync();
        await Assertions.Expect(web.Section("Rotate your account's encryption key")).ToContainTextAsync(Rotated);

        Proxy.ClearEgress();
        Proxy.Arm(OrganizationScenarios.EaPkSwap(granteeId, attacker));
        await web.NavigateAsync("Vault");
        await ContinueRotationAsync(web, seed.Account.Password);
        var refusal = web.Page.Locator("dialog[data-check=ea-pk-swap]");
        await Assertions.Expect(refusal).ToContainTextAsync(grantee.Email);
        await LogOutWithNothingSentAsync(web, refusal, attacker, seed.Secrets(mine));
    }

    /// <summary>
    /// Answers a refusal with "Log out", then checks that nothing was sent: no rotation request, nothing the attacker's
    /// key opens, none of <paramref name="secrets"/>. Disarms the proxy.
    /// </summary>
    private async Task LogOutWithNothingSentAsync(WebVault web, ILocator refusal, AttackerKeyPair attacker, Secret[] secrets)
    {
        await refusal.GetByRole(AriaRole.Button, new() { Name = "Log out", Exact = true }).ClickAsync();
        await web.Heading("Log in").WaitForAsync();
        Assert.Empty(Proxy.Requests("POST", RotationPath));
        Assert.Empty(attacker.OpenedIn(Proxy.Egress));
        Assert.Empty(Proxy.Leaks(secrets));
        Proxy.Disarm();
    }

    /// <summary>Settings → rotate: types the master password and presses Continue.</summary>
    internal static async Task ContinueRotationAsync(WebVault web, string password)
    {
        await web.NavigateAsync("Settings");
        var section = web.Section("Rotate your account's encryption key");
        await section.GetByLabel("Master password", new() { Exact = true }).FillAsync(password);
        await section.GetByRole(AriaRole.Button, new() { Name = "Continue", Exact = true }).ClickAsync();
    }

    /// <summary><see cref="ContinueRotationAsync"/>, then waits for the confirmation screen and returns it.</summary>
    internal static async Task<ILocator> StartRotationAsync(WebVault web, string password)
    {
        await ContinueRotationAsync(web, password);
        var confirm = web.Page.GetByRole(AriaRole.Form, new() { Name = "Confirm the key rotation", Exact = true });
        await confirm.WaitForAsync();
        return confirm;
    }

    private static string Open(string encString, SymmetricKey key) => System.Text.Encoding.UTF8.GetString(EncString.Parse(encString).Decrypt(key));
}
