using Coffer.Client;
using Coffer.Client.Crypto;
using Coffer.Client.Vault;
using Coffer.E2E.Tests.Harness;
using Coffer.Protocol.Crypto;

namespace Coffer.E2E.Tests.Browser;

/// <summary>What the server stores for an account, read back the way any other client would: log in, sync, decrypt.</summary>
public sealed record ServerVault(IReadOnlyList<VaultItem> Items, IReadOnlyList<FolderView> Folders, KdfConfig Kdf)
{
    public VaultItem Item(string name) => Assert.Single(Items, i => i.Name == name);

    public string? FolderName(Guid? id) => Folders.FirstOrDefault(f => f.Id == id)?.Name;

    /// <summary>Logs in as <paramref name="account"/> with Coffer.Client's client (no browser involved) and decrypts the sync.</summary>
    public static async Task<ServerVault> ReadAsync(BrowserFixture fixture, TestAccount account)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        ArgumentNullException.ThrowIfNull(account);
        using var client = new CofferApiClient(
            CofferHttp.CreateHandler(fixture.E2E.Certificates.CaPemPath), fixture.E2E.Server.BaseAddress, Guid.NewGuid().ToString());
        var prelogin = await client.PreloginAsync(account.Email);
        var kdf = prelogin.KdfSettings.ToConfig();
        var masterKey = MasterKeys.DeriveMasterKey(account.Password, prelogin.Salt, kdf);
        var hash = MasterKeys.HashMasterPassword(masterKey, account.Password);
        var login = await client.LoginAsync(account.Email, hash, twoFactor: null);
        client.AccessToken = login is LoginSucceeded ok ? ok.Token.AccessToken
            : throw new InvalidOperationException($"Reading the vault of {account.Email}: login answered {login}.");
        var sync = await client.SyncAsync();
        using var userKey = UserKeys.Unlock(sync.Profile.Key, account.Password, prelogin.Salt, kdf);
        return new ServerVault(
            [.. sync.Ciphers.Select(c => VaultCrypto.Decrypt(c, userKey))],
            [.. sync.Folders.Select(f => VaultCrypto.DecryptFolder(f, userKey))],
            kdf);
    }
}
