using System.Security.Cryptography;
using System.Text.Json;
using Coffer.Client.Crypto;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;

namespace Coffer.Client.Tests.Vault;

/// <summary>Per-item keys always (malicious-server.md BW05, BW10) and <c>uriChecksum</c> verified on read (BW06).</summary>
public sealed class ItemKeyTests : IDisposable
{
    private readonly SymmetricKey _userKey = SymmetricKey.Generate();

    public void Dispose() => _userKey.Dispose();

    [Fact]
    public void Encrypt_NewItem_CarriesAnItemKey_AndEveryFieldDecryptsOnlyUnderIt()
    {
        var request = VaultCrypto.Encrypt(new VaultItem { Name = "Bank", Notes = "n", Login = new LoginView { Password = "pw", Uris = ["https://bank.example"] } }, _userKey);

        using var itemKey = ItemKeyOf(request.Key);
        Assert.Equal("Bank", EncString.Parse(request.Name!).DecryptString(itemKey));
        Assert.Equal("pw", EncString.Parse(request.Login!.Password!).DecryptString(itemKey));
        Assert.Equal(VaultCrypto.UriChecksum("https://bank.example"), EncString.Parse(request.Login.Uris![0].UriChecksum!).DecryptString(itemKey));
        Assert.Throws<CryptographicException>(() => EncString.Parse(request.Name!).DecryptString(_userKey));
        Assert.Throws<CryptographicException>(() => EncString.Parse(request.Login.Password!).DecryptString(_userKey));
    }

    [Fact]
    public void Encrypt_EditOfALegacyItem_RekeysItAll_PasskeysUnknownContentAndAttachmentKeysIncluded()
    {
        var attachmentKey = RandomNumberGenerator.GetBytes(64);
        var legacy = JsonSerializer.Deserialize<CipherDetailsResponseModel>($$"""
            {"id":"8df70b38-664c-41c0-bffd-96f585404efa","type":1,"key":null,
             "name":"{{Enc("Old")}}",
             "login":{"password":"{{Enc("pw")}}","uris":[{"uri":"{{Enc("https://legacy.example")}}","match":null}],
                      "fido2Credentials":[{"credentialId":"{{Enc("cred-1")}}","counter":"{{Enc("7")}}"}],
                      "futureSecret":"{{Enc("future")}}"},
             "attachments":[{"id":"att1","fileName":"{{Enc("scan.pdf")}}","key":"{{EncString.Encrypt(attachmentKey, _userKey)}}","size":"10"}],
             "revisionDate":"2026-11-21T19:13:40.112Z"}
            """, CofferJson.Options)!;

        var item = VaultCrypto.Decrypt(legacy, _userKey);
        Assert.Equal(["https://legacy.example"], item.Login!.Uris);
        var request = VaultCrypto.Encrypt(item with { Name = "New" }, _userKey, legacy);

        using var itemKey = ItemKeyOf(request.Key);
        Assert.Equal("New", EncString.Parse(request.Name!).DecryptString(itemKey));
        Assert.Equal("pw", EncString.Parse(request.Login!.Password!).DecryptString(itemKey));
        Assert.Equal("cred-1", EncString.Parse(request.Login.Fido2Credentials![0]!["credentialId"]!.GetValue<string>()).DecryptString(itemKey));
        Assert.Equal("7", EncString.Parse(request.Login.Fido2Credentials[0]!["counter"]!.GetValue<string>()).DecryptString(itemKey));
        Assert.Equal("future", EncString.Parse(request.Login.Extra!["futureSecret"].GetString()!).DecryptString(itemKey));
        Assert.Equal(VaultCrypto.UriChecksum("https://legacy.example"), EncString.Parse(request.Login.Uris![0].UriChecksum!).DecryptString(itemKey));
        var attachment = request.Attachments2!["att1"];
        Assert.Equal("scan.pdf", EncString.Parse(attachment.FileName!).DecryptString(itemKey));
        Assert.Equal(attachmentKey, EncString.Parse(attachment.Key!).Decrypt(itemKey));
    }

    [Fact]
    public void Encrypt_LegacyItemWithAKeylessAttachment_IsNotRekeyed()
    {
        var legacy = JsonSerializer.Deserialize<CipherDetailsResponseModel>($$"""
            {"id":"8df70b38-664c-41c0-bffd-96f585404efa","type":2,"secureNote":{"type":0},"name":"{{Enc("Old")}}",
             "attachments":[{"id":"att1","fileName":"{{Enc("scan.pdf")}}","key":null}],"revisionDate":"2026-11-21T19:13:40Z"}
            """, CofferJson.Options)!;

        Assert.Throws<InvalidOperationException>(() => VaultCrypto.Encrypt(VaultCrypto.Decrypt(legacy, _userKey), _userKey, legacy));
    }

    [Fact]
    public void EncryptForShare_OfALegacyItem_GivesTheOrganizationCopyAnItemKey()
    {
        using var orgKey = SymmetricKey.Generate();
        var legacy = JsonSerializer.Deserialize<CipherDetailsResponseModel>($$"""
            {"id":"8df70b38-664c-41c0-bffd-96f585404efa","type":2,"secureNote":{"type":0},"name":"{{Enc("Shared")}}","revisionDate":"2026-11-21T19:13:40Z"}
            """, CofferJson.Options)!;

        var request = VaultCrypto.EncryptForShare(VaultCrypto.Decrypt(legacy, _userKey), legacy, orgKey, Guid.NewGuid());

        using var itemKey = ItemKeyOf(request.Key, orgKey);
        Assert.Equal("Shared", EncString.Parse(request.Name!).DecryptString(itemKey));
    }

    [Theory]
    [InlineData(true, "right", true)]
    [InlineData(true, "wrong", false)]
    [InlineData(true, null, false)]
    [InlineData(false, "right", true)]
    [InlineData(false, "wrong", false)]
    [InlineData(false, null, true)]
    public void Decrypt_KeepsAUriOnlyWhenItsChecksumHolds_AndAKeyedItemNeedsOne(bool keyed, string? checksum, bool kept)
    {
        using var itemKey = SymmetricKey.Generate();
        var fieldKey = keyed ? itemKey : _userKey;
        const string uri = "https://site.example";
        var cipher = new CipherDetailsResponseModel
        {
            Id = Guid.NewGuid(),
            Type = CipherType.Login,
            Key = keyed ? EncString.Encrypt(itemKey.ToArray(), _userKey).ToString() : null,
            Name = EncString.EncryptString("n", fieldKey).ToString(),
            Login = new CipherLoginModel
            {
                Uris =
                [
                    new CipherLoginUriModel
                    {
                        Uri = EncString.EncryptString(uri, fieldKey).ToString(),
                        UriChecksum = checksum switch
                        {
                            "right" => EncString.EncryptString(VaultCrypto.UriChecksum(uri), fieldKey).ToString(),
                            "wrong" => EncString.EncryptString(VaultCrypto.UriChecksum("https://other.example"), fieldKey).ToString(),
                            _ => null,
                        },
                    },
                ],
            },
        };

        var item = VaultCrypto.Decrypt(cipher, _userKey);

        Assert.Equal(kept ? [uri] : [], item.Login!.Uris);
        Assert.Equal(kept ? 0 : 1, item.RejectedUris);
    }

    private string Enc(string text) => EncString.EncryptString(text, _userKey).ToString();

    private SymmetricKey ItemKeyOf(string? wrapped, SymmetricKey? outer = null)
    {
        Assert.False(string.IsNullOrEmpty(wrapped));
        var bytes = EncString.Parse(wrapped).Decrypt(outer ?? _userKey);
        Assert.Equal(64, bytes.Length);
        return new SymmetricKey(bytes);
    }
}
