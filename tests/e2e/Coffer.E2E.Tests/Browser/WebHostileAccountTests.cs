using System.Text.Json.Nodes;
using Coffer.Client.Crypto;
using Coffer.Protocol.Crypto;
using Coffer.Testing.Hostile;

namespace Coffer.E2E.Tests.Browser;

/// <summary>
/// The web vault's login and unlock against a malicious server (malicious-server.md BW03, BW07, BW11, BW12): Chromium
/// browses the <see cref="HostileProxy"/> in front of an honest server, armed with guard-account's
/// <see cref="AccountScenarios"/>. Each test first logs in unarmed (which must work, and pins the account in this
/// browser's IndexedDB), then armed it must end in the "Your server sent something unsafe" dialog with the scenario's
/// check code, with no secret in the proxy's egress and no harmful write.
/// </summary>
public sealed class WebHostileAccountTests(HostileBrowserFixture fixture) : IClassFixture<HostileBrowserFixture>
{
    [Fact]
    public async Task Disarmed_TheVaultLogsInThroughTheProxy_AndNeitherThePasswordNorTheMasterKeyLeaves()
    {
        using var seed = await HostileSeed.CreateAsync(fixture);
        fixture.Proxy.Disarm();
        fixture.Proxy.ClearEgress();

        var web = await fixture.OpenVaultAsync();
        await web.LoginAsync(seed.Account.Email, seed.Account.Password);
        var pins = await HostileWeb.PinsAsync(web.Page);

        Assert.Single(HostileWeb.PasswordGrants(fixture.Proxy, seed.Account.Email));
        Assert.NotEmpty(fixture.Proxy.Requests("GET", "^/api/sync$"));
        Assert.Empty(fixture.Proxy.Leaks(seed.Secrets()));
        Assert.Equal(0, await web.Page.Locator("[data-check]").CountAsync());
        var pin = Assert.Single(pins);
        Assert.Equal(600_000, (int)pin["kdf"]!["iterations"]!);
        Assert.Equal(2, (int)pin["protectedUserKeyType"]!);
        Assert.Equal(UserKeyIdOf(seed), (string?)pin["userKeyId"]);
    }

    [Fact]
    public async Task KdfDowngrade_OnAPinnedAccount_IsRefusedBeforeHashing_NoTokenRequest_AndThePinStays()
    {
        using var seed = await HostileSeed.CreateAsync(fixture);
        var web = await HostileWeb.BaselineAsync(fixture, seed);
        var again = await HostileBrowserFixture.SameBrowserAsync(web);
        var weak = new KdfConfig(KdfType.Pbkdf2Sha256, 5_000);
        // What a client that obeyed would derive and send (MasterKeys refuses such a KDF itself).
        var weakKey = System.Security.Cryptography.Rfc2898DeriveBytes.Pbkdf2(
            seed.Account.Password, System.Text.Encoding.UTF8.GetBytes(seed.Account.Email.ToLowerInvariant()), weak.Iterations, System.Security.Cryptography.HashAlgorithmName.SHA256, 32);

        var text = await HostileWeb.ArmedAsync(fixture, AccountScenarios.KdfDowngrade(weak), async () =>
        {
            await again.SubmitLoginAsync(seed.Account.Email, seed.Account.Password);
            return await UnsafeDialog.WaitAsync(again.Page, "kdf-downgrade");
        });

        Assert.Contains("Your server sent something unsafe", text, StringComparison.Ordinal);
        Assert.Contains("PBKDF2 600,000 → PBKDF2 5,000", text, StringComparison.Ordinal);
        Assert.Empty(fixture.Proxy.Requests("POST", AccountScenarios.TokenPath));
        Assert.Empty(fixture.Proxy.Leaks([.. seed.Secrets(), Secret.Key("downgraded master key", weakKey),
            Secret.Text("downgraded hash", MasterKeys.HashMasterPassword(weakKey, seed.Account.Password))]));
        Assert.Equal(600_000, (int)Assert.Single(await HostileWeb.PinsAsync(again.Page))["kdf"]!["iterations"]!);
        await UnsafeDialog.AnswerAsync(again.Page, "kdf-downgrade", "Log out");
        await again.Heading("Log in").WaitForAsync();
    }

    [Fact]
    public async Task KdfFloorFirstUse_InAFreshBrowser_IsRefusedWithTheRaiseItMessage_AndNoTokenRequest()
    {
        using var seed = await HostileSeed.CreateAsync(fixture);
        await HostileWeb.BaselineAsync(fixture, seed);
        var fresh = await fixture.OpenVaultAsync();

        var text = await HostileWeb.ArmedAsync(fixture, AccountScenarios.KdfFloorFirstUse(), async () =>
        {
            await fresh.SubmitLoginAsync(seed.Account.Email, seed.Account.Password);
            return await UnsafeDialog.WaitAsync(fresh.Page, "kdf-floor");
        });

        Assert.Contains("weaker than Coffer allows (PBKDF2 100,000). Raise it from a client you trust", text, StringComparison.Ordinal);
        Assert.Empty(fixture.Proxy.Requests("POST", AccountScenarios.TokenPath));
        Assert.Empty(fixture.Proxy.Leaks(seed.Secrets()));
        Assert.Empty(await HostileWeb.PinsAsync(fresh.Page));
    }

    [Fact]
    public async Task KdfTokenMismatch_IsRefusedAfterTheTokenAndBeforeTheFirstSync()
    {
        using var seed = await HostileSeed.CreateAsync(fixture);
        await HostileWeb.BaselineAsync(fixture, seed);
        var fresh = await fixture.OpenVaultAsync();

        await HostileWeb.ArmedAsync(fixture, AccountScenarios.KdfTokenMismatch(alsoDecryptionOptions: true), async () =>
        {
            await fresh.SubmitLoginAsync(seed.Account.Email, seed.Account.Password);
            return await UnsafeDialog.WaitAsync(fresh.Page, "kdf-mismatch");
        });

        Assert.Single(HostileWeb.PasswordGrants(fixture.Proxy, seed.Account.Email));
        Assert.Empty(fixture.Proxy.Requests("GET", "^/api/sync$"));
        Assert.Empty(fixture.Proxy.Leaks(seed.Secrets()));
        Assert.Equal(0, await fresh.List.CountAsync());
    }

    [Fact]
    public async Task KdfSyncMismatch_IsRefusedAtTheFirstSync_AndNothingIsWritten()
    {
        using var seed = await HostileSeed.CreateAsync(fixture);
        await HostileWeb.BaselineAsync(fixture, seed);
        var fresh = await fixture.OpenVaultAsync();

        await HostileWeb.ArmedAsync(fixture, AccountScenarios.KdfSyncMismatch(), async () =>
        {
            await fresh.SubmitLoginAsync(seed.Account.Email, seed.Account.Password);
            return await UnsafeDialog.WaitAsync(fresh.Page, "kdf-mismatch");
        });

        Assert.Empty(fixture.Proxy.Leaks(seed.Secrets()));
        HostileWeb.AssertNoWrites(fixture.Proxy);
        Assert.Equal(0, await fresh.List.CountAsync());
    }

    [Fact]
    public async Task UserKeyType0_ForgedByTheBWb1Method_IsRefused_AndNothingIsEncryptedOrSent()
    {
        using var seed = await HostileSeed.CreateAsync(fixture);
        var web = await HostileWeb.BaselineAsync(fixture, seed);
        var again = await HostileBrowserFixture.SameBrowserAsync(web);

        var text = await HostileWeb.ArmedAsync(fixture, AccountScenarios.UserKeyType0(seed.MasterKey), async () =>
        {
            await again.SubmitLoginAsync(seed.Account.Email, seed.Account.Password);
            return await UnsafeDialog.WaitAsync(again.Page, "userkey-type0");
        });

        Assert.Contains("type 0", text, StringComparison.Ordinal);
        Assert.Empty(fixture.Proxy.Leaks(seed.Secrets()));
        Assert.Empty(fixture.Proxy.Requests("POST", "^/api/accounts/keys$"));
        HostileWeb.AssertNoWrites(fixture.Proxy);
        Assert.Equal(UserKeyIdOf(seed), (string?)Assert.Single(await HostileWeb.PinsAsync(again.Page))["userKeyId"]);
    }

    [Theory]
    [InlineData(false, "userkey-32byte")]
    [InlineData(true, "userkey-type0")]
    public async Task UserKey32Byte_IsRefused_AsA32ByteKey_OrAsTheTypeZeroForgery(bool legacyForgery, string expectedCode)
    {
        using var seed = await HostileSeed.CreateAsync(fixture);
        var web = await HostileWeb.BaselineAsync(fixture, seed);
        var again = await HostileBrowserFixture.SameBrowserAsync(web);
        var scenario = legacyForgery ? AccountScenarios.UserKey32ByteLegacy(seed.MasterKey) : AccountScenarios.UserKey32Byte(seed.MasterKey);

        await HostileWeb.ArmedAsync(fixture, scenario, async () =>
        {
            await again.SubmitLoginAsync(seed.Account.Email, seed.Account.Password);
            return await UnsafeDialog.WaitAsync(again.Page, expectedCode);
        });

        Assert.Empty(fixture.Proxy.Leaks(seed.Secrets()));
        HostileWeb.AssertNoWrites(fixture.Proxy);
        Assert.Equal(0, await again.List.CountAsync());
    }

    [Fact]
    public async Task KeysMissing_OnAPinnedAccount_IsRefused_AndNoKeyPairIsGeneratedOrPosted()
    {
        using var seed = await HostileSeed.CreateAsync(fixture);
        var web = await HostileWeb.BaselineAsync(fixture, seed);
        var again = await HostileBrowserFixture.SameBrowserAsync(web);

        await HostileWeb.ArmedAsync(fixture, AccountScenarios.KeysMissing(), async () =>
        {
            await again.SubmitLoginAsync(seed.Account.Email, seed.Account.Password);
            return await UnsafeDialog.WaitAsync(again.Page, "keys-missing");
        });

        Assert.Empty(fixture.Proxy.Requests("POST", "^/api/accounts/keys$"));
        Assert.Empty(fixture.Proxy.Requests("GET", "^/api/sync$"));
        HostileWeb.AssertNoWrites(fixture.Proxy);
        Assert.Empty(fixture.Proxy.Leaks(seed.Secrets()));
    }

    [Fact]
    public async Task KcConvert_IsRefused_TheConnectorIsNeverContacted_AndTheMasterKeyNeverLeaves()
    {
        using var seed = await HostileSeed.CreateAsync(fixture);
        var web = await HostileWeb.BaselineAsync(fixture, seed);
        var again = await HostileBrowserFixture.SameBrowserAsync(web);
        var connector = new Uri(fixture.Proxy.BaseAddress, "/key-connector");

        var text = await HostileWeb.ArmedAsync(fixture, AccountScenarios.KcConvert(connector), async () =>
        {
            await again.SubmitLoginAsync(seed.Account.Email, seed.Account.Password);
            return await UnsafeDialog.WaitAsync(again.Page, "kc-convert");
        });

        Assert.Contains("remove your master password", text, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Proxy.Egress, r => r.Path.StartsWith("/key-connector", StringComparison.Ordinal));
        Assert.Empty(fixture.Proxy.Leaks(seed.Secrets()));
        HostileWeb.AssertNoWrites(fixture.Proxy);
        Assert.Empty(fixture.OffOriginRequests);
    }

    [Fact]
    public async Task KcConvert_OnlyInTheSync_IsRefusedAtTheSync()
    {
        using var seed = await HostileSeed.CreateAsync(fixture);
        await HostileWeb.BaselineAsync(fixture, seed);
        var fresh = await fixture.OpenVaultAsync();

        await HostileWeb.ArmedAsync(fixture, AccountScenarios.KcConvert(new Uri(fixture.Proxy.BaseAddress, "/key-connector"), inToken: false), async () =>
        {
            await fresh.SubmitLoginAsync(seed.Account.Email, seed.Account.Password);
            return await UnsafeDialog.WaitAsync(fresh.Page, "kc-convert");
        });

        Assert.DoesNotContain(fixture.Proxy.Egress, r => r.Path.StartsWith("/key-connector", StringComparison.Ordinal));
        Assert.Empty(fixture.Proxy.Leaks(seed.Secrets()));
        HostileWeb.AssertNoWrites(fixture.Proxy);
    }

    private static string UserKeyIdOf(HostileSeed seed)
    {
        // RFC 9679 COSE-key thumbprint of a V1 key, truncated to 16 bytes (protocol §2.4), as the web vault computes it.
        byte[] prefix = [0xa2, 0x01, 0x04, 0x20, 0x58, 0x40];
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData([.. prefix, .. seed.UserKeyBytes]))[..32];
    }
}

/// <summary>Steps and assertions the hostile-proxy browser tests share.</summary>
public static class HostileWeb
{
    /// <summary>The honest baseline: proxy disarmed, a fresh browser logs in and sees the vault, no dialog (this pins the account there).</summary>
    public static async Task<WebVault> BaselineAsync(HostileBrowserFixture fixture, HostileSeed seed)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        ArgumentNullException.ThrowIfNull(seed);
        fixture.Proxy.Disarm();
        var web = await fixture.OpenVaultAsync();
        await web.LoginAsync(seed.Account.Email, seed.Account.Password);
        Assert.Equal(0, await web.Page.Locator("[data-check]").CountAsync());
        return web;
    }

    /// <summary>Arms <paramref name="scenario"/> with a clean egress log, runs <paramref name="step"/>, and disarms whatever happens.</summary>
    public static async Task<T> ArmedAsync<T>(HostileBrowserFixture fixture, HostileScenario scenario, Func<Task<T>> step)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        ArgumentNullException.ThrowIfNull(step);
        fixture.Proxy.Arm(scenario);
        fixture.Proxy.ClearEgress();
        try
        {
            return await step();
        }
        finally
        {
            fixture.Proxy.Disarm();
        }
    }

    /// <summary>The password grants sent for <paramref name="email"/> (refresh grants and other accounts left out).</summary>
    public static IReadOnlyList<EgressRecord> PasswordGrants(HostileProxy proxy, string email)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        return [.. proxy.Requests("POST", AccountScenarios.TokenPath).Where(r =>
            r.BodyText.Contains("grant_type=password", StringComparison.Ordinal) && Uri.UnescapeDataString(r.BodyText.Replace('+', ' ')).Contains(email, StringComparison.OrdinalIgnoreCase))];
    }

    /// <summary>No cipher was written at all (the session was refused before any write).</summary>
    public static void AssertNoWrites(HostileProxy proxy)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        Assert.DoesNotContain(proxy.Egress, r => r.Method is "POST" or "PUT" && r.Path.StartsWith("/api/ciphers", StringComparison.Ordinal));
    }

    /// <summary>
    /// No harmful write (malicious-server.md §4): every cipher posted or put carries its own <c>key</c> (type 2), and no
    /// request body holds a type 0 EncString.
    /// </summary>
    public static void AssertNoHarmfulWrites(HostileProxy proxy)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        foreach (var write in proxy.Egress.Where(r => r.Method is "POST" or "PUT"))
        {
            Assert.DoesNotMatch(@"""0\.[A-Za-z0-9+/=]+\|", write.BodyText);
            if (System.Text.RegularExpressions.Regex.IsMatch(write.Path, "^/api/ciphers(/create)?$|^/api/ciphers/[0-9a-f-]{36}(/share)?$")
                && write.BodyJson() is JsonObject body)
            {
                var cipher = body["cipher"] as JsonObject ?? body;
                Assert.StartsWith("2.", (string?)cipher["key"] ?? "(no key)", StringComparison.Ordinal);
            }
        }
    }

    /// <summary>The pin records this page's IndexedDB holds (object store <c>pins</c> of the database <c>coffer</c>).</summary>
    public static async Task<IReadOnlyList<JsonObject>> PinsAsync(Microsoft.Playwright.IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var json = await page.EvaluateAsync<string>("""
            () => new Promise((resolve, reject) => {
              const open = indexedDB.open('coffer', 1);
              open.onupgradeneeded = () => open.result.createObjectStore('pins');
              open.onerror = () => reject(open.error);
              open.onsuccess = () => {
                const all = open.result.transaction('pins', 'readonly').objectStore('pins').getAll();
                all.onsuccess = () => { open.result.close(); resolve(JSON.stringify(all.result)); };
                all.onerror = () => reject(all.error);
              };
            })
            """);
        return [.. JsonNode.Parse(json)!.AsArray().Select(record => JsonNode.Parse((string)record!)!.AsObject())];
    }
}
