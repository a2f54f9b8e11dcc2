using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Coffer.Client.Crypto;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;

namespace Coffer.Bench;

/// <summary>
/// Just enough of a Bitwarden client to seed the server: register, log in, build items. Accounts use
/// syntactically valid random keys instead of <see cref="NewAccount.Create"/>: the server only validates their
/// shape, and 600 000 PBKDF2 rounds per account would only slow the seeding down. Items are real type 2
/// EncStrings under a random user key, so the bytes on the wire have the size and entropy of real ones.
/// </summary>
public sealed class VaultClient(HttpClient http)
{
    /// <summary>A registered, logged-in account; <see cref="MasterPasswordHash"/> logs it in again (<see cref="PasswordGrant"/>).</summary>
    public sealed record Account(string Email, string AccessToken, SymmetricKey UserKey)
    {
        public string MasterPasswordHash { get; init; } = "";
    }

    public async Task<Account> RegisterAndLoginAsync(string email)
    {
        using var send = await http.PostAsJsonAsync("/identity/accounts/register/send-verification-email", new { email, name = "bench" }, CofferJson.Options);
        await EnsureOk(send, "send-verification-email");
        var registrationToken = await send.Content.ReadFromJsonAsync<string>(CofferJson.Options)
            ?? throw new InvalidOperationException("send-verification-email returned no token.");

        var userKey = SymmetricKey.Generate();
        using var wrappingKey = SymmetricKey.Generate();
        var masterPasswordHash = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var finish = new RegisterFinishRequestModel
        {
            Email = email,
            EmailVerificationToken = registrationToken,
            MasterPasswordHash = masterPasswordHash,
            UserSymmetricKey = EncString.Encrypt(userKey.ToArray(), wrappingKey).ToString(),
            UserAsymmetricKeys = new KeysRequestModel
            {
                // 294 bytes is the size of an RSA-2048 SPKI; the server checks only that it is Base64.
                PublicKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(294)),
                EncryptedPrivateKey = EncString.Encrypt(RandomNumberGenerator.GetBytes(1218), userKey).ToString(),
            },
            Kdf = KdfType.Pbkdf2Sha256,
            KdfIterations = 600_000,
        };
        using var finished = await http.PostAsJsonAsync("/identity/accounts/register/finish", finish, CofferJson.Options);
        await EnsureOk(finished, "register/finish");

        return await LoginAsync(email, masterPasswordHash, userKey);
    }

    /// <summary>Logs an existing account in with the password grant (a new device each time).</summary>
    public async Task<Account> LoginAsync(string email, string masterPasswordHash, SymmetricKey userKey)
    {
        using var grant = PasswordGrant(email, masterPasswordHash, Guid.NewGuid().ToString());
        using var token = await http.SendAsync(grant);
        await EnsureOk(token, "connect/token");
        using var json = await JsonDocument.ParseAsync(await token.Content.ReadAsStreamAsync());
        var accessToken = json.RootElement.GetProperty("access_token").GetString()
            ?? throw new InvalidOperationException("connect/token returned no access_token.");
        return new Account(email, accessToken, userKey) { MasterPasswordHash = masterPasswordHash };
    }

    /// <summary>A password grant (<c>POST /identity/connect/token</c>) for <paramref name="email"/> from the device <paramref name="deviceIdentifier"/>.</summary>
    public static HttpRequestMessage PasswordGrant(string email, string masterPasswordHash, string deviceIdentifier) =>
        new(HttpMethod.Post, "/identity/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "password",
                ["scope"] = "api offline_access",
                ["client_id"] = "bench",
                ["deviceType"] = "25",
                ["deviceIdentifier"] = deviceIdentifier,
                ["deviceName"] = "bench",
                ["username"] = email,
                ["password"] = masterPasswordHash,
            }),
        };

    /// <summary>
    /// The accounts the `http` and `footprint` runs load: small (100 items), large (3,000 items) and writer (empty,
    /// the target of creates, so the read scenarios never change size).
    /// </summary>
    public async Task<(Account Small, Account Large, Account Writer)> SeedStandardAsync()
    {
        var small = await RegisterAndLoginAsync("small@bench.test");
        var large = await RegisterAndLoginAsync("large@bench.test");
        var writer = await RegisterAndLoginAsync("writer@bench.test");
        await ImportAsync(small, 100);
        await ImportAsync(large, 3000);
        return (small, large, writer);
    }

    /// <summary>Adds <paramref name="count"/> login items in one import (one transaction), as a client migrating in would.</summary>
    public async Task ImportAsync(Account account, int count)
    {
        ArgumentNullException.ThrowIfNull(account);
        var import = new ImportCiphersRequestModel
        {
            Ciphers = Enumerable.Range(0, count).Select(i => LoginItem(account.UserKey, i)).ToList(),
            Folders = [],
            FolderRelationships = [],
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/ciphers/import")
        {
            Content = JsonContent.Create(import, options: CofferJson.Options),
        };
        Authorize(request, account);
        using var response = await http.SendAsync(request);
        await EnsureOk(response, "ciphers/import");
    }

    public static void Authorize(HttpRequestMessage request, Account account)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(account);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", account.AccessToken);
    }

    /// <summary>A typical login item: name, username, password, one URI and a short note, each its own EncString.</summary>
    public static CipherRequestModel LoginItem(SymmetricKey key, int index) => new()
    {
        Type = CipherType.Login,
        Name = Encrypt($"Site {index}", key),
        Notes = Encrypt("Recovery codes are in the safe.", key),
        Login = new CipherLoginModel
        {
            Username = Encrypt($"user{index}@example.com", key),
            Password = Encrypt(Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)), key),
            Uris = [new CipherLoginUriModel { Uri = Encrypt($"https://site{index}.example.com/login", key) }],
        },
    };

    private static string Encrypt(string plaintext, SymmetricKey key) => EncString.EncryptString(plaintext, key).ToString();

    private static async Task EnsureOk(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync();
            throw new InvalidOperationException($"{what} answered {(int)response.StatusCode}: {body[..Math.Min(body.Length, 500)]}");
        }
    }
}
