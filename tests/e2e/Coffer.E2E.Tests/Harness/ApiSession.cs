using System.Security.Cryptography;
using Coffer.Client;
using Coffer.Client.Crypto;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;

namespace Coffer.E2E.Tests.Harness;

/// <summary>
/// One logged-in device speaking the Bitwarden protocol through Coffer.Client's typed client, for tests that need
/// more requests than a CLI process per request allows (write loads) or need to aim at one node. It does what the
/// clients do: prelogin, derive the master key, log in with its hash, unwrap the user key and encrypt every item.
/// </summary>
public sealed class ApiSession : IDisposable
{
    private ApiSession(CofferApiClient client, SymmetricKey userKey, IdentityTokenResponseModel token, string deviceIdentifier)
    {
        Client = client;
        UserKey = userKey;
        Token = token;
        DeviceIdentifier = deviceIdentifier;
    }

    public CofferApiClient Client { get; }

    public SymmetricKey UserKey { get; }

    /// <summary>The password grant's answer; its refresh token is the one this device holds.</summary>
    public IdentityTokenResponseModel Token { get; }

    public string DeviceIdentifier { get; }

    /// <summary>A client for <paramref name="server"/> that trusts only the test CA; the caller disposes it.</summary>
    public static CofferApiClient NewClient(TestCertificates certificates, Uri server, string? deviceIdentifier = null) =>
        new(CofferHttp.CreateHandler(certificates.CaPemPath), server, deviceIdentifier ?? Guid.NewGuid().ToString());

    public static async Task RegisterAsync(TestCertificates certificates, Uri server, TestAccount account)
    {
        using var client = NewClient(certificates, server);
        var newAccount = NewAccount.Create(account.Email, account.Password, KdfConfig.DefaultPbkdf2);
        await client.RegisterAsync(newAccount, name: null, hint: null);
    }

    public static async Task<ApiSession> RegisterAndLoginAsync(TestCertificates certificates, Uri server, TestAccount account)
    {
        await RegisterAsync(certificates, server, account);
        return await LoginAsync(certificates, server, account);
    }

    /// <summary>Logs a new device in at <paramref name="server"/>; throws <see cref="CofferApiException"/> when refused.</summary>
    public static async Task<ApiSession> LoginAsync(
        TestCertificates certificates, Uri server, TestAccount account, string? deviceIdentifier = null)
    {
        deviceIdentifier ??= Guid.NewGuid().ToString();
        var client = NewClient(certificates, server, deviceIdentifier);
        try
        {
            var kdf = (await client.PreloginAsync(account.Email)).KdfSettings.ToConfig();
            var email = AccountEmail.Normalize(account.Email);
            var hash = PasswordHash(account, kdf);
            var result = await client.LoginAsync(email, hash, twoFactor: null);
            var token = result is LoginSucceeded ok ? ok.Token : throw new InvalidOperationException($"Login of {email} asked for {result}.");
            client.AccessToken = token.AccessToken;
            var protectedUserKey = token.Key ?? throw new InvalidOperationException("The password grant carried no Key.");
            return new ApiSession(client, UserKeys.Unlock(protectedUserKey, account.Password, email, kdf), token, deviceIdentifier);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>The master password hash a client sends in the password grant (protocol §2.2).</summary>
    public static string PasswordHash(TestAccount account, KdfConfig kdf)
    {
        var masterKey = MasterKeys.DeriveMasterKey(account.Password, AccountEmail.Normalize(account.Email), kdf);
        try
        {
            return MasterKeys.HashMasterPassword(masterKey, account.Password);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(masterKey);
        }
    }

    /// <summary>Creates a login item named <paramref name="name"/>, encrypted under the user key; returns its id.</summary>
    public async Task<Guid> CreateLoginAsync(string name, CancellationToken ct = default)
    {
        var item = new VaultItem
        {
            Name = name,
            Login = new LoginView { Username = "load", Password = name, Uris = ["https://load.example"] },
        };
        var created = await Client.CreateCipherAsync(VaultCrypto.Encrypt(item, UserKey), ct);
        return created.Id;
    }

    /// <summary>Every item the server holds for this account, decrypted, from a fresh /api/sync.</summary>
    public async Task<IReadOnlyList<VaultItem>> SyncItemsAsync(CancellationToken ct = default)
    {
        var sync = await Client.SyncAsync(ct);
        return [.. sync.Ciphers.Select(c => VaultCrypto.Decrypt(c, UserKey))];
    }

    public void Dispose()
    {
        Client.Dispose();
        UserKey.Dispose();
    }
}
