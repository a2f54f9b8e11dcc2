using System.Security.Cryptography;
using Coffer.Client.Crypto;
using Coffer.Protocol.Crypto;

namespace Coffer.Client.Tests;

public sealed class EncStringTests
{
    private static SymmetricKey TestUserKey() => new(ProtocolVectors.ProtectedUserKey.UserKeyBytes());

    private static SymmetricKey Pbkdf2StretchedKey() =>
        MasterKeys.Stretch(Convert.FromHexString(ProtocolVectors.Pbkdf2Account.MasterKeyHex));

    [Fact]
    public void ProtectedUserKey_MatchesProtocolVector()
    {
        using var stretched = Pbkdf2StretchedKey();

        var encrypted = EncStringCrypto.EncryptWithIv(
            ProtocolVectors.ProtectedUserKey.UserKeyBytes(), stretched, Convert.FromHexString(ProtocolVectors.ProtectedUserKey.IvHex));

        Assert.Equal(ProtocolVectors.ProtectedUserKey.EncString, encrypted.ToString());
        Assert.Equal(ProtocolVectors.ProtectedUserKey.MacHex, Convert.ToHexStringLower(encrypted.Mac.Span));
        Assert.Equal(80, encrypted.Data.Length);
    }

    [Fact]
    public void ProtectedUserKeyVector_DecryptsToTheUserKey()
    {
        using var stretched = Pbkdf2StretchedKey();

        var userKey = EncString.Parse(ProtocolVectors.ProtectedUserKey.EncString).Decrypt(stretched);

        Assert.Equal(ProtocolVectors.ProtectedUserKey.UserKeyBytes(), userKey);
    }

    [Fact]
    public void FieldEncString_MatchesProtocolVector()
    {
        using var userKey = TestUserKey();

        var encrypted = EncStringCrypto.EncryptWithIv(
            "Hello, Bitwarden"u8, userKey, Convert.FromHexString(ProtocolVectors.FieldEncString.IvHex));

        Assert.Equal(ProtocolVectors.FieldEncString.EncString, encrypted.ToString());
    }

    [Fact]
    public void FieldEncStringVector_DecryptsToItsPlaintext()
    {
        using var userKey = TestUserKey();

        Assert.Equal(
            ProtocolVectors.FieldEncString.Plaintext,
            EncString.Parse(ProtocolVectors.FieldEncString.EncString).DecryptString(userKey));
    }

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("exactly sixteen!")]
    [InlineData("Grüße, 世界 🔐 — a longer string that spans several AES blocks of sixteen bytes")]
    public void EncryptString_RoundTrips(string plaintext)
    {
        using var key = SymmetricKey.Generate();

        var encrypted = EncString.EncryptString(plaintext, key);
        var reparsed = EncString.Parse(encrypted.ToString());

        Assert.Equal(EncryptionType.AesCbc256_HmacSha256_B64, encrypted.Type);
        Assert.Equal(plaintext, reparsed.DecryptString(key));
    }

    [Fact]
    public void Encrypt_UsesAFreshIvEachTime()
    {
        using var key = SymmetricKey.Generate();

        var first = EncString.EncryptString("same", key);
        var second = EncString.EncryptString("same", key);

        Assert.Equal(16, first.Iv.Length);
        Assert.NotEqual(first.Iv.ToArray(), second.Iv.ToArray());
        Assert.NotEqual(first.ToString(), second.ToString());
    }

    [Fact]
    public void Decrypt_WithTheWrongKey_Throws()
    {
        using var key = SymmetricKey.Generate();
        using var other = SymmetricKey.Generate();
        var encrypted = EncString.EncryptString("secret", key);

        Assert.Throws<CryptographicException>(() => encrypted.Decrypt(other));
    }

    [Fact]
    public void Decrypt_WithOneBitOfTheMacKeyWrong_Throws()
    {
        using var key = TestUserKey();
        var bytes = key.ToArray();
        bytes[63] ^= 0x01;
        using var almost = new SymmetricKey(bytes);
        var encrypted = EncString.Parse(ProtocolVectors.FieldEncString.EncString);

        Assert.Throws<CryptographicException>(() => encrypted.Decrypt(almost));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Decrypt_OfATamperedPart_Throws(int partIndex)
    {
        using var key = TestUserKey();
        var parts = ProtocolVectors.FieldEncString.EncString[2..].Split('|');
        var bytes = Convert.FromBase64String(parts[partIndex]);
        bytes[^1] ^= 0x01;
        parts[partIndex] = Convert.ToBase64String(bytes);
        var tampered = EncString.Parse("2." + string.Join('|', parts));

        var error = Assert.Throws<CryptographicException>(() => tampered.Decrypt(key));
        Assert.Contains("MAC", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decrypt_OfATruncatedCiphertext_Throws()
    {
        using var key = SymmetricKey.Generate();
        var encrypted = EncString.EncryptString(new string('a', 40), key);
        var parts = encrypted.ToString()[2..].Split('|');
        var shortened = Convert.FromBase64String(parts[1])[..16];
        var tampered = EncString.Parse($"2.{parts[0]}|{Convert.ToBase64String(shortened)}|{parts[2]}");

        Assert.Throws<CryptographicException>(() => tampered.Decrypt(key));
    }

    [Theory]
    [InlineData("0.EBESExQVFhcYGRobHB0eHw==|AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("4.AAAA")]
    [InlineData("7.AAAA")]
    public void Decrypt_OfATypeOtherThan2_Throws(string value)
    {
        using var key = SymmetricKey.Generate();

        Assert.Throws<CryptographicException>(() => EncString.Parse(value).Decrypt(key));
    }

    [Fact]
    public void Decrypt_OfAValidType0CiphertextUnderTheRightEncKey_FailsWithTheMacFailuresExactWords()
    {
        // What BW12's server would serve: bare AES-CBC under a known encKey, which decrypts with valid padding.
        using var key = SymmetricKey.Generate();
        var iv = new byte[16];
        RandomNumberGenerator.Fill(iv);
        using var aes = Aes.Create();
        aes.Key = key.EncKey.ToArray();
        var type0 = EncString.Parse("0." + Convert.ToBase64String(iv) + "|" + Convert.ToBase64String(aes.EncryptCbc("secret"u8, iv, PaddingMode.PKCS7)));
        var parts = EncString.EncryptString("secret", key).ToString()[2..].Split('|');
        var badMac = EncString.Parse($"2.{parts[0]}|{parts[1]}|{Convert.ToBase64String(new byte[32])}");

        var typeError = Assert.Throws<CryptographicException>(() => type0.Decrypt(key));
        var macError = Assert.Throws<CryptographicException>(() => badMac.Decrypt(key));

        Assert.Equal(macError.Message, typeError.Message);
        Assert.Equal(EncStringCrypto.NotDecryptable, typeError.Message);
    }

    [Fact]
    public void DecryptString_OfBytesThatAreNotUtf8_Throws()
    {
        using var key = SymmetricKey.Generate();
        var encrypted = EncString.Encrypt([0xff, 0xfe, 0xfd], key);

        Assert.Throws<CryptographicException>(() => encrypted.DecryptString(key));
    }

    [Fact]
    public void Parse_ExposesTheParts()
    {
        var parsed = EncString.Parse(ProtocolVectors.ProtectedUserKey.EncString);

        Assert.Equal(EncryptionType.AesCbc256_HmacSha256_B64, parsed.Type);
        Assert.Equal(ProtocolVectors.ProtectedUserKey.IvHex, Convert.ToHexStringLower(parsed.Iv.Span));
        Assert.Equal(80, parsed.Data.Length);
        Assert.Equal(ProtocolVectors.ProtectedUserKey.MacHex, Convert.ToHexStringLower(parsed.Mac.Span));
    }

    [Fact]
    public void Parse_OfAMalformedValue_ThrowsFormatException_WithoutEchoingIt()
    {
        var error = Assert.Throws<FormatException>(() => EncString.Parse("2.secret-looking-value"));

        Assert.DoesNotContain("secret-looking-value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encrypt_WithAnIvThatIsNot16Bytes_Throws()
    {
        using var key = SymmetricKey.Generate();

        Assert.Throws<ArgumentException>(() => EncStringCrypto.EncryptWithIv("x"u8, key, new byte[12]));
    }
}
