using System.Security.Cryptography;
using System.Text;
using Coffer.Testing.Hostile;
using Microsoft.Playwright;

namespace Coffer.E2E.Tests.Browser;

/// <summary>
/// The web vault's items against a malicious server (malicious-server.md BW04, BW05, BW06, BW10, §3.13): Chromium through
/// the <see cref="HostileProxy"/>, armed with guard-vault's <see cref="VaultScenarios"/>. Each test logs in unarmed first
/// (the baseline must show the items with no dialog, and pins them in this browser), then arms the scenario and syncs:
/// the dialog must carry the scenario's check code, the item must be held back as designed, nothing secret may leave
/// and no cipher may be written without its own key.
/// </summary>
public sealed class WebHostileVaultTests(HostileBrowserFixture fixture) : IClassFixture<HostileBrowserFixture>
{
    [Fact]
    public async Task ConfigOldVersion_NewItemsStillGetTheirOwnKeyAndUriChecksum_AndLosingThatKeyLaterIsRefused()
    {
        using var seed = await HostileSeed.CreateAsync(fixture);
        var web = await HostileWeb.BaselineAsync(fixture, seed);

        await HostileWeb.ArmedAsync(fixture, VaultScenarios.ConfigOldVersion(), async () =>
        {
            await NewLoginAsync(web, "Created under an old server", "created-Pa55-word");
            return true;
        });
        var posted = Assert.Single(fixture.Proxy.Requests("POST", "^/api/ciphers$")).BodyJson()!.AsObject();
        var key = (string)posted["key"]!;
        var uri = posted["login"]!["uris"]![0]!;
        HostileWeb.AssertNoHarmfulWrites(fixture.Proxy);
        Assert.Null(seed.OpenWithUserKey((string?)posted["name"]));
        Assert.Equal("Created under an old server", seed.OpenWithItemKey((string?)posted["name"], key));
        Assert.Equal(Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes("https://created.example"))), seed.OpenWithItemKey((string?)uri["uriChecksum"], key));
        Assert.Empty(fixture.Proxy.Leaks(seed.Secrets()));

        var id = Guid.Parse((string)(await ServerCipherIdAsync(web, "Created under an old server"))!);
        await HostileWeb.ArmedAsync(fixture, VaultScenarios.CipherKeyStripped(id), () => SyncUntilAsync(web, "cipher-key-stripped"));

        Assert.DoesNotContain("Created under an old server", await web.NamesInListAsync());
        HostileWeb.AssertNoWrites(fixture.Proxy);
    }

    [Fact]
    public async Task CipherKeyStripped_FromTheEchoOfACreate_IsRefusedAsCipherKeyDropped_AfterAKeyedWrite()
    {
        using var seed = await HostileSeed.CreateAsync(fixture);
        var web = await HostileWeb.BaselineAsync(fixture, seed);

        var text = await HostileWeb.ArmedAsync(fixture, VaultScenarios.CipherKeyStripped(), async () =>
        {
            await web.StartNewItemAsync("login");
            await web.Field("Name").FillAsync("Echo check");
            await web.Field("Password").FillAsync("echo-Pa55");
            await web.Button("Save").ClickAsync();
            return await UnsafeDialog.WaitAsync(web.Page, "cipher-key-dropped");
        });

        Assert.Contains("did not keep the item key", text, StringComparison.Ordinal);
        Assert.StartsWith("2.", (string?)Assert.Single(fixture.Proxy.Requests("POST", "^/api/ciphers$")).BodyJson()!["key"], StringComparison.Ordinal);
        HostileWeb.AssertNoHarmfulWrites(fixture.Proxy);
        await UnsafeDialog.AnswerAsync(web.Page, "cipher-key-dropped", "Keep hidden");
        Assert.Empty(fixture.Proxy.Leaks([.. seed.Secrets(), Secret.Text("item password", "echo-Pa55")]));
    }

    [Fact]
    public async Task LegacyItem_IsReKeyedAtItsFirstEditHere_AndStaysReadable()
    {
        using var seed = await HostileSeed.CreateAsync(fixture);
        var legacy = await seed.AddLoginAsync("Legacy site", withKey: false);
        var web = await HostileWeb.BaselineAsync(fixture, seed);
        fixture.Proxy.ClearEgress();

        await web.OpenItemAsync("Legacy site");
        await web.Button("Edit").ClickAsync();
        await web.Heading("Edit login").WaitForAsync();
        await web.Field("Name").FillAsync("Legacy site, re-keyed");
        await web.SaveItemAsync("Legacy site, re-keyed");
        await web.Page.ReloadAsync();
        await web.Heading("Your vault is locked").WaitForAsync();
        await web.Field("Master password").FillAsync(seed.Account.Password);
        await web.Button("Unlock").ClickAsync();
        await web.WaitForListAsync();
        await web.OpenItemAsync("Legacy site, re-keyed");
        var shownPassword = await web.ItemValueAsync("Password");

        var put = Assert.Single(fixture.Proxy.Requests("PUT", $"^/api/ciphers/{legacy.Id}$")).BodyJson()!.AsObject();
        var key = (string)put["key"]!;
        HostileWeb.AssertNoHarmfulWrites(fixture.Proxy);
        Assert.Equal(legacy.Password, seed.OpenWithItemKey((string?)put["login"]!["password"], key));
        Assert.Null(seed.OpenWithUserKey((string?)put["login"]!["password"]));
        Assert.Equal(legacy.Uri, seed.OpenWithItemKey((string?)put["login"]!["uris"]![0]!["uri"], key));
        Assert.Equal(legacy.Password, shownPassword);
        Assert.Equal(0, await web.Page.Locator("[data-check]").CountAsync());
        Assert.Empty(fixture.Proxy.Leaks(seed.Secrets(legacy)));
    }

    [Fact]
    public async Task SwapInItem_WithAWarmCache_QuarantinesTheItem_UntilReviewed()
    {
        using var seed = await HostileSeed.CreateAsync(fixture);
        var swapped = await seed.AddLoginAsync("Swapped", withKey: true);
        var other = await seed.AddLoginAsync("Untouched", withKey: true);
        var web = await HostileWeb.BaselineAsync(fixture, seed);

        var text = await HostileWeb.ArmedAsync(fixture, VaultScenarios.SwapInItem(swapped.Id), () => SyncUntilAsync(web, "ciphertext-moved"));

        Assert.Contains("\"Swapped\"", text, StringComparison.Ordinal);
        Assert.Contains("Keep hidden", text, StringComparison.Ordinal);
        Assert.Contains("I did this", text, StringComparison.Ordinal);
        await UnsafeDialog.AnswerAsync(web.Page, "ciphertext-moved", "Keep hidden");
        var names = await web.NamesInListAsync();
        Assert.DoesNotContain("Swapped", names);
        Assert.Contains("Untouched", names);
        HostileWeb.AssertNoWrites(fixture.Proxy);
        Assert.Empty(fixture.Proxy.Leaks(seed.Secrets(swapped, other)));
    }

    [Fact]
    public async Task SwapCrossItem_CopiedInOneAnswer_IsRefusedAsCiphertextReused_EvenInAFreshBrowser()
    {
        using var seed = await HostileSeed.CreateAsync(fixture);
        var a = await seed.AddLoginAsync("Legacy A", withKey: false);
        var b = await seed.AddLoginAsync("Legacy B", withKey: false);
        await HostileWeb.BaselineAsync(fixture, seed);
        var fresh = await fixture.OpenVaultAsync();

        await HostileWeb.ArmedAsync(fixture, VaultScenarios.SwapCrossItem(b.Id, a.Id), async () =>
        {
            await fresh.SubmitLoginAsync(seed.Account.Email, seed.Account.Password);
            return await UnsafeDialog.WaitAsync(fresh.Page, "ciphertext-reused");
        });

        await UnsafeDialog.AnswerAsync(fresh.Page, "ciphertext-reused", "Log out");
        await fresh.Heading("Log in").WaitForAsync();
        HostileWeb.AssertNoWrites(fixture.Proxy);
        Assert.Empty(fixture.Proxy.Leaks(seed.Secrets(a, b)));
        Assert.Empty(await HostileWeb.PinsAsync(fresh.Page));
    }

    [Fact]
    public async Task SwapCrossItem_Moved_WithAWarmCache_QuarantinesTheItems()
    {
        using var seed = await HostileSeed.CreateAsync(fixture);
        var a = await seed.AddLoginAsync("Legacy A", withKey: false);
        var b = await seed.AddLoginAsync("Legacy B", withKey: false);
        var web = await HostileWeb.BaselineAsync(fixture, seed);

        await HostileWeb.ArmedAsync(fixture, VaultScenarios.SwapCrossItem(b.Id, a.Id, copy: false), () => SyncUntilAsync(web, "ciphertext-moved"));

        await UnsafeDialog.AnswerAsync(web.Page, "ciphertext-moved", "Keep hidden");
        await UnsafeDialog.AnswerAsync(web.Page, "ciphertext-moved", "Keep hidden");
        var names = await web.NamesInListAsync();
        Assert.DoesNotContain("Legacy A", names);
        Assert.DoesNotContain("Legacy B", names);
        HostileWeb.AssertNoWrites(fixture.Proxy);
        Assert.Empty(fixture.Proxy.Leaks(seed.Secrets(a, b)));
    }

    [Fact]
    public async Task MetaRepromptOff_QuarantinesTheItem_AndIDidThisAcceptsTheChange()
    {
        using var seed = await HostileSeed.CreateAsync(fixture);
        var guarded = await seed.AddLoginAsync("Guarded", withKey: true, reprompt: 1);
        var web = await HostileWeb.BaselineAsync(fixture, seed);

        var text = await HostileWeb.ArmedAsync(fixture, VaultScenarios.MetaRepromptOff(guarded.Id), async () =>
        {
            var shown = await SyncUntilAsync(web, "meta-reprompt-off");
            Assert.DoesNotContain("Guarded", await web.NamesInListAsync());
            Assert.Equal(1, (int)(await HostileWeb.PinsAsync(web.Page)).Single()["ciphers"]![guarded.Id.ToString()]!["reprompt"]!);
            await UnsafeDialog.AnswerAsync(web.Page, "meta-reprompt-off", "I did this");
            return shown;
        });

        Assert.Contains("re-prompt was switched off by the server", text, StringComparison.Ordinal);
        await Assertions.Expect(web.ListNames.Filter(new() { HasTextString = "Guarded" })).ToHaveCountAsync(1);
        Assert.Equal(0, (int)(await HostileWeb.PinsAsync(web.Page)).Single()["ciphers"]![guarded.Id.ToString()]!["reprompt"]!);
        HostileWeb.AssertNoWrites(fixture.Proxy);
    }

    [Fact]
    public async Task TypeChange_IsRefusedForThatItem_WhichStaysHidden()
    {
        using var seed = await HostileSeed.CreateAsync(fixture);
        var changed = await seed.AddLoginAsync("Typed", withKey: true);
        var web = await HostileWeb.BaselineAsync(fixture, seed);

        var text = await HostileWeb.ArmedAsync(fixture, VaultScenarios.TypeChange(changed.Id), () => SyncUntilAsync(web, "type-change"));

        Assert.Contains("(1 → 2)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("I did this", text, StringComparison.Ordinal);
        await UnsafeDialog.AnswerAsync(web.Page, "type-change", "Keep hidden");
        Assert.DoesNotContain("Typed", await web.NamesInListAsync());
        HostileWeb.AssertNoWrites(fixture.Proxy);
        Assert.Empty(fixture.Proxy.Leaks(seed.Secrets(changed)));
    }

    [Fact]
    public async Task Rollback_OfTheWholeAccount_Warns_AndTheWithheldItemIsReportedAsVanished()
    {
        using var seed = await HostileSeed.CreateAsync(fixture);
        await seed.AddLoginAsync("Before", withKey: true);
        var replay = VaultScenarios.Rollback();
        fixture.Proxy.Arm(replay.Capture);
        var web = await fixture.OpenVaultAsync();
        await web.LoginAsync(seed.Account.Email, seed.Account.Password);
        fixture.Proxy.Disarm();
        await seed.AddElsewhereAsync("After");
        await web.Button("Sync").ClickAsync();
        await Assertions.Expect(web.ListNames.Filter(new() { HasTextString = "After" })).ToHaveCountAsync(1);
        Assert.Equal(0, await web.Page.Locator("[data-check]").CountAsync());

        await HostileWeb.ArmedAsync(fixture, replay.Serve, () => SyncUntilAsync(web, "rollback"));

        await UnsafeDialog.For(web.Page, "vanish").WaitForAsync();
        Assert.Contains("1 item(s) vanished", await UnsafeDialog.For(web.Page, "vanish").InnerTextAsync(), StringComparison.Ordinal);
        HostileWeb.AssertNoWrites(fixture.Proxy);
    }

    [Fact]
    public async Task ItemRollback_ToAnOlderVersion_QuarantinesTheItem()
    {
        using var seed = await HostileSeed.CreateAsync(fixture);
        var item = await seed.AddLoginAsync("Versioned", withKey: true);
        var replay = VaultScenarios.ItemRollback(item.Id);
        fixture.Proxy.Arm(replay.Capture);
        var web = await fixture.OpenVaultAsync();
        await web.LoginAsync(seed.Account.Email, seed.Account.Password);
        fixture.Proxy.Disarm();
        await web.OpenItemAsync("Versioned");
        await web.Button("Edit").ClickAsync();
        await web.Heading("Edit login").WaitForAsync();
        await web.Field("Name").FillAsync("Versioned v2");
        await web.SaveItemAsync("Versioned v2");
        await web.NavigateAsync("Vault");

        var text = await HostileWeb.ArmedAsync(fixture, replay.Serve, () => SyncUntilAsync(web, "item-rollback"));

        Assert.Contains("older version", text, StringComparison.Ordinal);
        await UnsafeDialog.AnswerAsync(web.Page, "item-rollback", "Keep hidden");
        var names = await web.NamesInListAsync();
        Assert.DoesNotContain("Versioned", names);
        Assert.DoesNotContain("Versioned v2", names);
        HostileWeb.AssertNoWrites(fixture.Proxy);
    }

    [Fact]
    public async Task Vanish_OfAnItemNotDeletedHere_Warns_AndWorkGoesOn()
    {
        using var seed = await HostileSeed.CreateAsync(fixture);
        var gone = await seed.AddLoginAsync("Withheld", withKey: true);
        await seed.AddLoginAsync("Still here", withKey: true);
        var web = await HostileWeb.BaselineAsync(fixture, seed);

        var text = await HostileWeb.ArmedAsync(fixture, VaultScenarios.Vanish(gone.Id), () => SyncUntilAsync(web, "vanish"));

        Assert.Contains("1 item(s) vanished", text, StringComparison.Ordinal);
        Assert.Equal(["Still here"], await web.NamesInListAsync());
        Assert.Equal(0, await web.Page.Locator("dialog[open]").CountAsync());
        HostileWeb.AssertNoWrites(fixture.Proxy);
    }

    [Fact]
    public async Task IconLeak_PasswordCiphertextInTheUri_IsRefused_AndNoRequestLeavesForAnyIconHost()
    {
        using var seed = await HostileSeed.CreateAsync(fixture);
        var legacy = await seed.AddLoginAsync("Legacy bank", withKey: false, password: "legacy.bank.example.com");
        var keyed = await seed.AddLoginAsync("Keyed bank", withKey: true, password: "keyed.bank.example.com");
        var web = await HostileWeb.BaselineAsync(fixture, seed);
        await web.OpenItemAsync("Keyed bank");
        await web.NavigateAsync("Vault");

        await HostileWeb.ArmedAsync(fixture, VaultScenarios.IconLeak(legacy.Id, keyed.Id), () => SyncUntilAsync(web, "ciphertext-reused"));

        Assert.Empty(fixture.OffOriginRequests);
        Assert.DoesNotContain(fixture.Proxy.Egress, r => r.Path.Contains("icon", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(fixture.Proxy.Leaks(seed.Secrets(legacy, keyed)));
        HostileWeb.AssertNoWrites(fixture.Proxy);
    }

    /// <summary>Creates a login through the form (name, password, one URI) and waits for its item screen.</summary>
    private static async Task NewLoginAsync(WebVault web, string name, string password)
    {
        await web.StartNewItemAsync("login");
        await web.Field("Name").FillAsync(name);
        await web.Field("Username").FillAsync("someone@example.com");
        await web.Field("Password").FillAsync(password);
        await web.Field("Website (URI)").FillAsync("https://created.example");
        await web.SaveItemAsync(name);
        await web.NavigateAsync("Vault");
    }

    /// <summary>The id of the item called <paramref name="name"/>, from its link in the list.</summary>
    private static async Task<string?> ServerCipherIdAsync(WebVault web, string name)
    {
        var href = await web.List.GetByRole(AriaRole.Link).Filter(new() { Has = web.Page.Locator(".name", new() { HasTextString = name }) }).First.GetAttributeAsync("href");
        return href?.Split('/').Last();
    }

    /// <summary>Presses the vault's Sync button and waits for the dialog (or warning) of <paramref name="code"/>.</summary>
    private static async Task<string> SyncUntilAsync(WebVault web, string code)
    {
        await web.Button("Sync").ClickAsync();
        return await UnsafeDialog.WaitAsync(web.Page, code);
    }
}
