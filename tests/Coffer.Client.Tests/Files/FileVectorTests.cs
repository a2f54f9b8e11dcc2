using System.Text;
using Coffer.Client.Crypto;
using Coffer.Client.Files;
using Coffer.Protocol.Crypto;

namespace Coffer.Client.Tests.Files;

/// <summary>The known answers of bitwarden-sharing-features.md §6.1 and §6.2, which the Bitwarden CLI 2026.9.0 accepted.</summary>
public sealed class FileVectorTests
{
    private const string PlaintextHex = "68656c6c6f206174746163686d656e740a";
    private const string FileIvHex = "606162636465666768696a6b6c6d6e6f";

    private const string EncryptedFileHex =
        "02"
        + "606162636465666768696a6b6c6d6e6f"
        + "6a5a0382a3edf60c0f3cdee253e21801545dc2d136afb6b0dee82ccbe928ee54"
        + "104e28871361c89f9cfd948aaad8e477cb584086462a4380941492d88614d2da";

    private const string WrappedAttachmentKey =
        "2.cHFyc3R1dnd4eXp7fH1+fw==|kEzkXPIu0NG+ZD9fyGUEzaSryNC88YzwqIvHO4hRMGmrXsSfteky6zv1MApcCH50rikub/cnCOM5hOz/OZRKFA8a7jMjAmSJin7h8kwRY8c=|0SkhQNYdZutHey54AmEiC1pQ5v4pXZdxACBSMqW1HWU=";

    private const string EncryptedFileName = "2.kJGSk5SVlpeYmZqbnJ2enw==|W/hpMjknirdgzPyn6HbTvw==|8CmuDfYqSa0NXjTBbn7V1AcwdXm/IUu7O66wTp7RTSw=";

    private const string SendKeyHex =
        "063a955a1c01b4e1aacb7cd359c919b2cb61041c0c05c94c0eb76fb9a9e144b3"
        + "fbeca074de1437a1a2330ad2833138abf3be2561a3a30ae1f33e15e1a2f7ca04";

    private const string WrappedSeed = "2.MDEyMzQ1Njc4OTo7PD0+Pw==|XpbXEJTTUmgrLWno6HeXJP3hwIpwMCPJuUv2raHyZeE=|GS3LP6UvIUfFAK5UK3Mt024pEvo9ssoBTFiDxUGvmJ0=";
    private const string SendName = "2.QEFCQ0RFRkdISUpLTE1OTw==|Wk0zOi3tKkNU75b6ybcZoQ==|IwNyIAh2HvG/0elAkUSuj/Hmf2hls6pz5zslgS5tHgA=";
    private const string SendText = "2.UFFSU1RVVldYWVpbXF1eXw==|dAdKiyob0jZt6DzDL0/PeQ==|IANso8dz5KQu+sBT5m3SmrJFNFkVdnJFB21s9ZziHO0=";

    private static byte[] Range(int from, int count) => [.. Enumerable.Range(from, count).Select(b => (byte)b)];

    private static SymmetricKey UserKey() => new(Range(0x00, 64));

    private static SymmetricKey AttachmentKey() => new(Range(0x80, 64));

    private static byte[] Seed() => Range(0x00, 16);

    [Fact]
    public void AttachmentFile_EncryptsToTheVectorBytes()
    {
        using var key = AttachmentKey();

        var encrypted = EncArrayBuffer.EncryptWithIv(Convert.FromHexString(PlaintextHex), key, Convert.FromHexString(FileIvHex));

        Assert.Equal(EncryptedFileHex, Convert.ToHexStringLower(encrypted));
        Assert.Equal(81, EncArrayBuffer.EncryptedLength(17));
    }

    [Fact]
    public async Task AttachmentFile_StreamingEncryption_WritesTheVectorBytes()
    {
        using var key = AttachmentKey();
        using var plaintext = new MemoryStream(Convert.FromHexString(PlaintextHex));
        using var output = new MemoryStream();

        var length = await EncArrayBuffer.EncryptAsync(plaintext, output, key, Convert.FromHexString(FileIvHex), null, default);

        Assert.Equal(81, length);
        Assert.Equal(EncryptedFileHex, Convert.ToHexStringLower(output.ToArray()));
    }

    [Fact]
    public async Task AttachmentFile_VectorDecryptsInMemoryAndStreaming()
    {
        using var key = AttachmentKey();
        var encrypted = Convert.FromHexString(EncryptedFileHex);
        using var output = new MemoryStream();

        await EncArrayBuffer.DecryptAsync(new MemoryStream(encrypted), output, key);

        Assert.Equal("hello attachment\n", Encoding.UTF8.GetString(EncArrayBuffer.Decrypt(encrypted, key)));
        Assert.Equal(PlaintextHex, Convert.ToHexStringLower(output.ToArray()));
    }

    [Fact]
    public void AttachmentKeyAndName_AreTheVectorEncStrings()
    {
        using var userKey = UserKey();

        var wrapped = EncStringCrypto.EncryptWithIv(Range(0x80, 64), userKey, Convert.FromHexString("707172737475767778797a7b7c7d7e7f"));
        var name = EncStringCrypto.EncryptWithIv("hello.txt"u8, userKey, Convert.FromHexString("909192939495969798999a9b9c9d9e9f"));

        Assert.Equal(WrappedAttachmentKey, wrapped.ToString());
        Assert.Equal(EncryptedFileName, name.ToString());
    }

    [Fact]
    public void AttachmentKeyAndName_OfTheVector_OpenUnderTheItemKey()
    {
        using var userKey = UserKey();

        using var fileKey = AttachmentCrypto.FileKey(WrappedAttachmentKey, userKey);

        Assert.Equal(Range(0x80, 64), fileKey.ToArray());
        Assert.Equal("hello.txt", AttachmentCrypto.FileName(EncryptedFileName, userKey));
    }

    [Fact]
    public void SendKey_IsTheVectorHkdfOutput_AndTheUrlKeyTheSeedInBase64Url()
    {
        using var sendKey = SendCrypto.DeriveKey(Seed());

        Assert.Equal(SendKeyHex, Convert.ToHexStringLower(sendKey.ToArray()));
        Assert.Equal("AAECAwQFBgcICQoLDA0ODw", SendCrypto.UrlKey(Seed()));
    }

    [Fact]
    public void SendFields_AreTheVectorEncStrings()
    {
        using var userKey = UserKey();
        using var sendKey = SendCrypto.DeriveKey(Seed());

        Assert.Equal(WrappedSeed, EncStringCrypto.EncryptWithIv(Seed(), userKey, Convert.FromHexString("303132333435363738393a3b3c3d3e3f")).ToString());
        Assert.Equal(SendName, EncStringCrypto.EncryptWithIv("Test Send"u8, sendKey, Convert.FromHexString("404142434445464748494a4b4c4d4e4f")).ToString());
        Assert.Equal(SendText, EncStringCrypto.EncryptWithIv("Hello from Send"u8, sendKey, Convert.FromHexString("505152535455565758595a5b5c5d5e5f")).ToString());
        Assert.Equal(Seed(), SendCrypto.UnwrapSeed(WrappedSeed, userKey));
        Assert.Equal("Test Send", EncString.Parse(SendName).DecryptString(sendKey));
        Assert.Equal("Hello from Send", EncString.Parse(SendText).DecryptString(sendKey));
    }

    [Theory]
    [InlineData("AAECAwQFBgcICQoLDA0ODw", "correct horse", "V/LC8HOXSNUWQZsGKohGZjI8WD6krhZVBKgfe1PGKgk=")]
    [InlineData("OQ4ltrRWF5fHchUMegueAA", "s3cret", "ZPkv7//jHMapnUdyFjauSahd0g6t5rOP55OZNfvdRIU=")]
    public void SendPasswordHash_IsTheVector(string urlKey, string password, string expected)
    {
        var seed = System.Buffers.Text.Base64Url.DecodeFromChars(urlKey);

        Assert.Equal(expected, SendCrypto.PasswordHash(password, seed));
    }

    [Fact]
    public void SendLink_FormatsTheVectorUrl_AndParsesItBack()
    {
        const string url = "https://vault.example.com/#/send/EREREQAAQACAAAAAAAAAAQ/AAECAwQFBgcICQoLDA0ODw";

        var formatted = SendLink.Format(new Uri("https://vault.example.com"), "EREREQAAQACAAAAAAAAAAQ", Seed());
        var parsed = SendLink.Parse(url);

        Assert.Equal(url, formatted);
        Assert.Equal(new Uri("https://vault.example.com/"), parsed.Server);
        Assert.Equal("EREREQAAQACAAAAAAAAAAQ", parsed.AccessId);
        Assert.Equal(Seed(), parsed.Seed);
    }

    [Fact]
    public void SendLink_KeepsTheServersPath_AndReadsTheOlderFragmentForm()
    {
        var parsed = SendLink.Parse("https://example.com/vault/#/8afqD3IfRh6koulO7dLbYA/AAECAwQFBgcICQoLDA0ODw");

        Assert.Equal(new Uri("https://example.com/vault/"), parsed.Server);
        Assert.Equal("8afqD3IfRh6koulO7dLbYA", parsed.AccessId);
        Assert.Equal("https://example.com/vault/#/send/8afqD3IfRh6koulO7dLbYA/AAECAwQFBgcICQoLDA0ODw", SendLink.Format(parsed.Server, parsed.AccessId, parsed.Seed));
    }

    [Theory]
    [InlineData("vault.example.com/#/send/EREREQAAQACAAAAAAAAAAQ/AAECAwQFBgcICQoLDA0ODw")]
    [InlineData("ftp://vault.example.com/#/send/EREREQAAQACAAAAAAAAAAQ/AAECAwQFBgcICQoLDA0ODw")]
    [InlineData("https://vault.example.com/")]
    [InlineData("https://vault.example.com/#/send/EREREQAAQACAAAAAAAAAAQ")]
    [InlineData("https://vault.example.com/#/send/ERE+REQ/AAECAwQFBgcICQoLDA0ODw")]
    [InlineData("https://vault.example.com/#/send/EREREQAAQACAAAAAAAAAAQ/AAEC*wQF")]
    public void SendLink_Malformed_IsRefused(string url)
    {
        Assert.Throws<FormatException>(() => SendLink.Parse(url));
    }
}
