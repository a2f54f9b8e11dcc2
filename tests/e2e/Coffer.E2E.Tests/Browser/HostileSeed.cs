using System.Security.Cryptography;
using System.Text;
using Coffer.Client;
using Coffer.Client.Crypto;
using Coffer.E2E.Tests.Harness;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;
using Coffer.Testing.Hostile;
using Microsoft.Playwright;

namespace Coffer.E2E.Tests.Browser;

/// <summary>One login item as the hostile-vault tests write it, with the plain text they look for in the proxy's egress.</summary>
public sealed record SeededLogin(Guid Id, string Name, string Username, string Password, string Uri, bool HasKey);

/// <summary>
/// An account on the honest server (straight, not through the proxy) with login items written from C#: legacy items
/// (every field directly under the user key, as clients before per-item keys wrote them) or items with their own key
/// and <c>uriChecksum</c>. The harness knows the password, master key and user key, so a test can look for them in
/// <see cref="HostileProxy.Leaks"/>.
/// </summary>
public sealed class HostileSeed : IDisposable
{
    private readonly CofferApiClient client;
    private readonly SymmetricKey userKey;

    private HostileSeed(TestAccount account, byte[] masterKey, CofferApiClient client, SymmetricKey userKey)
    {
        Account = account;
        MasterKey = masterKey;
        this.client = client;
        this.userKey = userKey;
    }

    public TestAccount Account { get; }

    /// <summary>The account's master key (PBKDF2 600,000, the default).</summary>
    public byte[] MasterKey { get; }

    /// <summary>The user key's 64 bytes.</summary>
    public byte[] UserKeyBytes => userKey.ToArray();

    /// <summary>Registers a fresh account on <paramref name="fixture"/>'s server and logs the seeding client in.</summary>
    public static async Task<HostileSeed> CreateAsync(HostileBrowserFixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        var account = TestAccount.CreateUnique();
        var created = NewAccount.Create(account.Email, account.Password, KdfConfig.DefaultPbkdf2);
        var client = new CofferApiClient(CofferHttp.CreateHandler(fixture.E2E.Certificates.CaPemPath), fixture.E2E.Server.BaseAddress, Guid.NewGuid().ToString());
        await client.RegisterAsync(created, name: "Hostile", hint: null);
        var login = await client.LoginAsync(created.Email, created.MasterPasswordHash, twoFactor: null);
        client.AccessToken = login is LoginSucceeded ok ? ok.Token.AccessToken : throw new InvalidOperationException($"Seed login answered {login}.");
        var userKey = UserKeys.Unlock(created.ProtectedUserKey, account.Password, created.Email, created.Kdf);
        return new HostileSeed(account, MasterKeys.DeriveMasterKey(account.Password, created.Email, created.Kdf), client, userKey);
    }

    /// <summary>Writes a login; <paramref name="withKey"/> gives it its own item key and a <c>uriChecksum</c>.</summary>
    public async Task<SeededLogin> AddLoginAsync(string name, bool withKey, int reprompt = 0, string? password = null)
    {
        var unique = Guid.NewGuid().ToString("N")[..10];
        var username = $"user-{unique}@example.com";
        password ??= $"Pa55-{unique}";
        var uri = $"https://site-{unique}.example.com/login";
        using var itemKey = withKey ? SymmetricKey.Generate() : null;
        var key = itemKey ?? userKey;
        string Enc(string text) => EncString.EncryptString(text, key).ToString();
        var request = new CipherRequestModel
        {
            Type = CipherType.Login,
            Name = Enc(name),
            Notes = Enc($"notes of {name}"),
            Reprompt = reprompt,
            Key = itemKey is null ? null : EncString.Encrypt(itemKey.ToArray(), userKey).ToString(),
            Login = new CipherLoginModel
            {
                Username = Enc(username),
                Password = Enc(password),
                Uris = [new CipherLoginUriModel
                {
                    Uri = Enc(uri),
                    UriChecksum = withKey ? Enc(Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(uri)))) : null,
                }],
            },
        };
        var created = await client.CreateCipherAsync(request);
        return new SeededLogin(created.Id, name, username, password, uri, withKey);
    }

    /// <summary>Adds a login item to the account's vault from C# (a change made elsewhere).</summary>
    public Task<SeededLogin> AddElsewhereAsync(string name) => AddLoginAsync(name, withKey: true);

    /// <summary>The plain text of <paramref name="encString"/> under the user key, or null when it does not open with it.</summary>
    public string? OpenWithUserKey(string? encString) => Open(encString, userKey);

    /// <summary>The plain text of <paramref name="encString"/> under the item key <paramref name="wrappedItemKey"/> (wrapped under the user key).</summary>
    public string? OpenWithItemKey(string? encString, string wrappedItemKey)
    {
        using var itemKey = new SymmetricKey(EncString.Parse(wrappedItemKey).Decrypt(userKey));
        return Open(encString, itemKey);
    }

    private static string? Open(string? encString, SymmetricKey key)
    {
        try
        {
            return encString is null ? null : Encoding.UTF8.GetString(EncString.Parse(encString).Decrypt(key));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>Everything that must never leave the browser: the master password, master key, user key, and the items' passwords.</summary>
    public Secret[] Secrets(params SeededLogin[] items) =>
    [
        Secret.Text("master password", Account.Password),
        Secret.Key("master key", MasterKey),
        Secret.Key("user key", UserKeyBytes),
        .. items.Select(i => Secret.Text($"password of {i.Name}", i.Password)),
    ];

    public void Dispose()
    {
        userKey.Dispose();
        client.Dispose();
    }
}

/// <summary>What the hostile-proxy browser tests look at on the page.</summary>
public static class UnsafeDialog
{
    /// <summary>The "Your server sent something unsafe" dialog (or warning) for one check code.</summary>
    public static ILocator For(IPage page, string code)
    {
        ArgumentNullException.ThrowIfNull(page);
        return page.Locator($"[data-check=\"{code}\"]");
    }

    /// <summary>Waits for the dialog of <paramref name="code"/> and returns its text.</summary>
    public static async Task<string> WaitAsync(IPage page, string code)
    {
        var dialog = For(page, code);
        await dialog.First.WaitForAsync();
        return await dialog.First.InnerTextAsync();
    }

    /// <summary>Presses one of the dialog's buttons ("Log out", "Keep hidden", "I did this", "OK").</summary>
    public static async Task AnswerAsync(IPage page, string code, string button)
    {
        // Another dialog with the same code may open right after this one closes: wait for this very element to go.
        var dialog = await For(page, code).First.ElementHandleAsync();
        await (await dialog.QuerySelectorAsync($"button:text-is('{button}')") ?? throw new InvalidOperationException($"No {button} button.")).ClickAsync();
        await dialog.WaitForElementStateAsync(ElementState.Hidden);
    }
}
