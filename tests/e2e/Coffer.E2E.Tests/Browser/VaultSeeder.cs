using System.Net.Http.Headers;
using System.Net.Http.Json;
using Coffer.Client;
using Coffer.Client.Crypto;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;

namespace Coffer.E2E.Tests.Browser;

/// <summary>An account made by <see cref="VaultSeeder"/>: its credentials and the plain text of what it holds.</summary>
public sealed record SeededVault(string Email, string Password, IReadOnlyList<string> Folders, IReadOnlyList<SeededItem> Items);

/// <summary>An item as the seeder wrote it; <see cref="Folder"/> is a folder name, null when the item has none.</summary>
public sealed record SeededItem(VaultItem Item, string? Folder);

/// <summary>
/// Fills an account from C# with Coffer.Client's client and VaultCrypto, the way a client migrating in would: a real
/// registration (the KDF and key chain the web vault will unlock), then every item in one
/// <c>POST /api/ciphers/import</c>. Items cycle through the four types: logins (every one with a TOTP secret),
/// secure notes, cards and identities, spread over the folders. Used by the browser tests and bench/web.
/// </summary>
public static class VaultSeeder
{
    /// <summary>Registers and fills one account; <paramref name="caPemPath"/> is the CA to trust for https, null for http on loopback.</summary>
    public static async Task<SeededVault> SeedAsync(
        Uri server, string? caPemPath, string email, string password, int itemCount, int folderCount, KdfConfig? kdf = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        var account = NewAccount.Create(email, password, kdf ?? KdfConfig.DefaultPbkdf2);
        using var client = new CofferApiClient(CofferHttp.CreateHandler(caPemPath), server, Guid.NewGuid().ToString());
        await client.RegisterAsync(account, name: "Seeded", hint: null);
        var login = await client.LoginAsync(account.Email, account.MasterPasswordHash, twoFactor: null);
        var token = login is LoginSucceeded ok ? ok.Token.AccessToken
            : throw new InvalidOperationException($"Logging the seeded account in answered {login}.");

        using var userKey = UserKeys.Unlock(account.ProtectedUserKey, password, account.Email, account.Kdf);
        var folders = Enumerable.Range(1, folderCount).Select(i => $"Folder {i:D2}").ToList();
        var items = Enumerable.Range(0, itemCount).Select(i => Item(i, folders)).ToList();
        var import = new ImportCiphersRequestModel
        {
            Ciphers = [.. items.Select(s => VaultCrypto.Encrypt(s.Item, userKey))],
            Folders = [.. folders.Select(name => new ImportFolderModel { Name = VaultCrypto.EncryptName(name, userKey) })],
            FolderRelationships = [.. items
                .Select((s, index) => (s.Folder, index))
                .Where(x => x.Folder is not null)
                .Select(x => new ImportRelationshipModel { Key = x.index, Value = folders.IndexOf(x.Folder!) })],
        };

        if (items.Count == 0 && folders.Count == 0)
        {
            return new SeededVault(account.Email, password, folders, items);
        }

        using var http = new HttpClient(CofferHttp.CreateHandler(caPemPath)) { BaseAddress = server, Timeout = TimeSpan.FromMinutes(5) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/ciphers/import")
        {
            Content = JsonContent.Create(import, options: CofferJson.Options),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                $"Importing {itemCount} seeded items answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return new SeededVault(account.Email, password, folders, items);
    }

    /// <summary>Item <paramref name="i"/> of a seeded vault; every third item has no folder.</summary>
    public static SeededItem Item(int i, IReadOnlyList<string> folders)
    {
        ArgumentNullException.ThrowIfNull(folders);
        var folder = folders.Count == 0 || i % 3 == 2 ? null : folders[i % folders.Count];
        var number = $"{i:D4}";
        VaultItem item = (i % 4) switch
        {
            0 => new VaultItem
            {
                Type = CipherType.Login,
                Name = $"Login {number}",
                Notes = $"Recovery codes for site {number} are in the safe.",
                Login = new LoginView
                {
                    Username = $"user{number}@example.com",
                    Password = $"Pa55-{number}-{Guid.NewGuid():N}",
                    Totp = Base32.Encode(Totp.NewSecret()),
                    Uris = [$"https://site{number}.example.com/login"],
                },
            },
            1 => new VaultItem { Type = CipherType.SecureNote, Name = $"Note {number}", Notes = $"Wi-Fi code {number}: 4711-{number}" },
            2 => new VaultItem
            {
                Type = CipherType.Card,
                Name = $"Card {number}",
                Card = new CardView
                {
                    CardholderName = $"Card Holder {number}",
                    Brand = "Visa",
                    Number = $"411111111111{number}",
                    ExpMonth = "12",
                    ExpYear = "2031",
                    Code = "123",
                },
            },
            _ => new VaultItem
            {
                Type = CipherType.Identity,
                Name = $"Identity {number}",
                Identity = new IdentityView
                {
                    FirstName = "Ada",
                    LastName = $"Person{number}",
                    Email = $"ada{number}@example.com",
                    City = "Zurich",
                    Country = "CH",
                },
            },
        };
        return new SeededItem(item, folder);
    }
}
