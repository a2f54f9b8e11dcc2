using System.Text.Json;
using Coffer.Client.Crypto;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;

namespace Coffer.Client.Tests.Vault;

public sealed class VaultCryptoTests : IDisposable
{
    private readonly SymmetricKey _key = SymmetricKey.Generate();

    public void Dispose() => _key.Dispose();

    [Fact]
    public void Decrypt_ReadsTheProtocolVector_AsBwWritesIt()
    {
        // Protocol §2.5: "Hello, Bitwarden" under the user key 00..3f, as the official SDK encrypts it.
        using var key = new SymmetricKey(Enumerable.Range(0, 64).Select(i => (byte)i).ToArray());
        var cipher = JsonSerializer.Deserialize<CipherDetailsResponseModel>(
            """
            {"id":"8df70b38-664c-41c0-bffd-96f585404efa","type":2,"secureNote":{"type":0},"reprompt":0,
             "name":"2.ICEiIyQlJicoKSorLC0uLw==|19uTEO+jRM10UBP+ispCIUz8VEHlXprzd11N7YirwJ0=|RcTZUAN3R2QrOF23pffDeCPXTJop7Fl7qfQWAGXCS0E=",
             "revisionDate":"2026-11-21T19:13:40.112Z","deletedDate":null}
            """,
            CofferJson.Options)!;

        var item = VaultCrypto.Decrypt(cipher, key);

        Assert.Equal("Hello, Bitwarden", item.Name);
        Assert.Equal(CipherType.SecureNote, item.Type);
    }

    [Fact]
    public void Login_RoundTripsThroughTheWire()
    {
        var item = new VaultItem
        {
            Name = "GitHub",
            Notes = "work account",
            Login = new LoginView
            {
                Username = "alice",
                Password = "p@ss wörd",
                Totp = "JBSWY3DPEHPK3PXP",
                Uris = ["https://github.com", "https://gist.github.com"],
            },
            Fields = [new FieldView(0, "pin", "1234"), new FieldView(1, "secret", "s"), new FieldView(2, "flag", "true")],
            PasswordHistory = [new PasswordHistoryView("old", new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc))],
        };

        var back = RoundTrip(item);

        Assert.Equal(item.Name, back.Name);
        Assert.Equal(item.Notes, back.Notes);
        Assert.Equal(item.Login.Username, back.Login!.Username);
        Assert.Equal(item.Login.Password, back.Login.Password);
        Assert.Equal(item.Login.Totp, back.Login.Totp);
        Assert.Equal(item.Login.Uris, back.Login.Uris);
        Assert.Equal(item.Fields, back.Fields);
        Assert.Equal(item.PasswordHistory, back.PasswordHistory);
    }

    [Fact]
    public void SecureNote_RoundTrips_WithNoteTypeZero()
    {
        var request = VaultCrypto.Encrypt(new VaultItem { Type = CipherType.SecureNote, Name = "Wifi", Notes = "hunter2" }, _key);
        Assert.Equal(0, request.SecureNote!.Type);
        Assert.Null(request.Login);

        var back = RoundTrip(new VaultItem { Type = CipherType.SecureNote, Name = "Wifi", Notes = "hunter2" });
        Assert.Equal(("Wifi", "hunter2"), (back.Name, back.Notes));
    }

    [Fact]
    public void Card_RoundTrips()
    {
        var card = new CardView { CardholderName = "A B", Brand = "Visa", Number = "4111111111111111", ExpMonth = "12", ExpYear = "2030", Code = "123" };
        var back = RoundTrip(new VaultItem { Type = CipherType.Card, Name = "Visa", Card = card });
        Assert.Equal(card, back.Card);
    }

    [Fact]
    public void Identity_RoundTrips()
    {
        var identity = new IdentityView
        {
            Title = "Dr",
            FirstName = "Ada",
            MiddleName = "K",
            LastName = "Lovelace",
            Address1 = "1 Road",
            Address2 = "Flat 2",
            Address3 = "Wing",
            City = "London",
            State = "LDN",
            PostalCode = "N1",
            Country = "GB",
            Company = "Engines",
            Email = "ada@example.org",
            Phone = "+44",
            Ssn = "000",
            Username = "ada",
            PassportNumber = "P1",
            LicenseNumber = "L1",
        };
        var back = RoundTrip(new VaultItem { Type = CipherType.Identity, Name = "Me", Identity = identity });
        Assert.Equal(identity, back.Identity);
    }

    [Fact]
    public void Encrypt_MakesEveryUserStringAnEncString_AndKeepsNumbersAsNumbers()
    {
        var request = VaultCrypto.Encrypt(new VaultItem
        {
            Name = "n",
            Notes = "t",
            Login = new LoginView { Username = "u", Password = "p", Uris = ["https://a.example"] },
            Fields = [new FieldView(1, "k", "v")],
        }, _key);
        var json = JsonSerializer.SerializeToElement(request, CofferJson.Options);

        Assert.Equal(JsonValueKind.Number, json.GetProperty("type").ValueKind);
        Assert.Equal(JsonValueKind.Number, json.GetProperty("fields")[0].GetProperty("type").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("login").GetProperty("uris")[0].GetProperty("match").ValueKind);
        foreach (var value in new[]
        {
            json.GetProperty("name"), json.GetProperty("notes"), json.GetProperty("login").GetProperty("username"),
            json.GetProperty("login").GetProperty("password"), json.GetProperty("login").GetProperty("uris")[0].GetProperty("uri"),
            json.GetProperty("login").GetProperty("uris")[0].GetProperty("uriChecksum"),
            json.GetProperty("fields")[0].GetProperty("name"), json.GetProperty("fields")[0].GetProperty("value"),
        })
        {
            Assert.True(EncString.TryParse(value.GetString(), out var enc), $"{value} is not an EncString");
            Assert.Equal(EncryptionType.AesCbc256_HmacSha256_B64, enc.Type);
        }

        Assert.DoesNotContain("https://a.example", json.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public void Encrypt_UriChecksum_IsBase64Sha256OfTheUri()
    {
        var request = VaultCrypto.Encrypt(new VaultItem { Name = "n", Login = new LoginView { Uris = ["https://a.example"] } }, _key);
        using var itemKey = new SymmetricKey(EncString.Parse(request.Key!).Decrypt(_key));
        var checksum = EncString.Parse(request.Login!.Uris![0].UriChecksum!).DecryptString(itemKey);
        Assert.Equal(Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData("https://a.example"u8)), checksum);
    }

    [Fact]
    public void Encrypt_ForEdit_KeepsItemKeyMatchRulesAndUnknownData_AndSendsLastKnownRevision()
    {
        using var itemKey = SymmetricKey.Generate();
        var wrapped = EncString.Encrypt(itemKey.ToArray(), _key).ToString();
        var revision = new DateTime(2026, 11, 21, 19, 13, 40, 112, DateTimeKind.Utc);
        var original = JsonSerializer.Deserialize<CipherDetailsResponseModel>($$"""
            {"id":"8df70b38-664c-41c0-bffd-96f585404efa","type":1,"key":"{{wrapped}}",
             "name":"{{EncString.EncryptString("old", itemKey)}}",
             "login":{"uris":[{"uri":"{{EncString.EncryptString("https://keep.example", itemKey)}}","match":3,
                               "uriChecksum":"{{EncString.EncryptString(VaultCrypto.UriChecksum("https://keep.example"), itemKey)}}"}],
                      "fido2Credentials":[{"credentialId":"x"}],"futureField":42},
             "revisionDate":"2026-11-21T19:13:40.112Z"}
            """, CofferJson.Options)!;

        var item = VaultCrypto.Decrypt(original, _key);
        Assert.Equal("old", item.Name);
        var request = VaultCrypto.Encrypt(
            item with { Name = "new", Login = item.Login! with { Uris = ["https://keep.example", "https://new.example"] } }, _key, original);

        Assert.Equal(wrapped, request.Key);
        Assert.Equal(revision, request.LastKnownRevisionDate);
        Assert.Equal("new", EncString.Parse(request.Name!).DecryptString(itemKey));
        Assert.Equal([3, null], request.Login!.Uris!.Select(u => u.Match));
        Assert.Equal("x", request.Login.Fido2Credentials![0]!["credentialId"]!.GetValue<string>());
        Assert.Equal(42, request.Login.Extra!["futureField"].GetInt32());
        Assert.Throws<System.Security.Cryptography.CryptographicException>(() => EncString.Parse(request.Name!).DecryptString(_key));
    }

    [Fact]
    public void Folder_RoundTrips()
    {
        var folder = new FolderResponseModel { Id = Guid.CreateVersion7(), Name = VaultCrypto.EncryptName("Work", _key) };
        Assert.Equal("Work", VaultCrypto.DecryptFolder(folder, _key).Name);
    }

    /// <summary>Encrypts, sends through JSON as a server would echo it, and decrypts again.</summary>
    private VaultItem RoundTrip(VaultItem item)
    {
        var request = VaultCrypto.Encrypt(item, _key);
        var json = JsonSerializer.Serialize(request, CofferJson.Options);
        var response = JsonSerializer.Deserialize<CipherDetailsResponseModel>(json, CofferJson.Options)! with { Id = Guid.CreateVersion7() };
        return VaultCrypto.Decrypt(response, _key);
    }
}
