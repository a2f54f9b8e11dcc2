using System.Security.Cryptography;
using System.Text;
using Coffer.Client.Crypto;
using Coffer.Protocol.Crypto;

namespace Coffer.Client.Tests;

public sealed class MasterKeysTests
{
    [Fact]
    public void Pbkdf2MasterKey_MatchesProtocolVector()
    {
        var masterKey = MasterKeys.DeriveMasterKey(
            ProtocolVectors.Pbkdf2Account.Password, ProtocolVectors.Pbkdf2Account.EmailAsTyped, ProtocolVectors.Pbkdf2Account.Kdf);

        Assert.Equal(ProtocolVectors.Pbkdf2Account.MasterKeyHex, Convert.ToHexStringLower(masterKey));
        Assert.Equal(ProtocolVectors.Pbkdf2Account.MasterKeyBase64, Convert.ToBase64String(masterKey));
    }

    [Fact]
    public void Pbkdf2MasterPasswordHash_MatchesProtocolVector()
    {
        var masterKey = Convert.FromHexString(ProtocolVectors.Pbkdf2Account.MasterKeyHex);

        Assert.Equal(
            ProtocolVectors.Pbkdf2Account.MasterPasswordHash,
            MasterKeys.HashMasterPassword(masterKey, ProtocolVectors.Pbkdf2Account.Password));
    }

    [Fact]
    public void MockAccountMasterKeyAndHash_MatchProtocolVector()
    {
        var masterKey = MasterKeys.DeriveMasterKey(
            ProtocolVectors.MockAccount.Password, ProtocolVectors.MockAccount.Email, ProtocolVectors.MockAccount.Kdf);

        Assert.Equal(ProtocolVectors.MockAccount.MasterKeyHex, Convert.ToHexStringLower(masterKey));
        Assert.Equal(
            ProtocolVectors.MockAccount.MasterPasswordHash,
            MasterKeys.HashMasterPassword(masterKey, ProtocolVectors.MockAccount.Password));
    }

    [Fact]
    public void StretchedKey_MatchesProtocolVector()
    {
        using var stretched = MasterKeys.Stretch(Convert.FromHexString(ProtocolVectors.Pbkdf2Account.MasterKeyHex));

        Assert.Equal(ProtocolVectors.Pbkdf2Account.StretchedEncKeyHex, Convert.ToHexStringLower(stretched.EncKey));
        Assert.Equal(ProtocolVectors.Pbkdf2Account.StretchedMacKeyHex, Convert.ToHexStringLower(stretched.MacKey));
    }

    [Fact]
    public void StretchedKey_IsHmacOfInfoAndCounterOne()
    {
        // Protocol §2.2 spells HKDF-Expand with L = 32 as a single HMAC block; both spellings must agree.
        var masterKey = Convert.FromHexString(ProtocolVectors.Pbkdf2Account.MasterKeyHex);
        using var stretched = MasterKeys.Stretch(masterKey);

        Assert.Equal(HMACSHA256.HashData(masterKey, "enc\u0001"u8), stretched.EncKey.ToArray());
        Assert.Equal(HMACSHA256.HashData(masterKey, "mac\u0001"u8), stretched.MacKey.ToArray());
    }

    [Theory]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void Stretch_OfAKeyThatIsNot32Bytes_Throws(int length)
    {
        Assert.Throws<ArgumentException>(() => MasterKeys.Stretch(new byte[length]));
    }

    [Fact]
    public void Argon2idMasterKey_MatchesProtocolVector()
    {
        var masterKey = MasterKeys.DeriveMasterKey(
            ProtocolVectors.Argon2idAccount.Password, ProtocolVectors.Argon2idAccount.Email, ProtocolVectors.Argon2idAccount.Kdf);

        Assert.Equal(ProtocolVectors.Argon2idAccount.MasterKeyHex, Convert.ToHexStringLower(masterKey));
    }

    [Fact]
    public void Argon2idSalt_IsSha256OfTheNormalizedEmail()
    {
        var hashed = SHA256.HashData(Encoding.UTF8.GetBytes(ProtocolVectors.Argon2idAccount.Email));

        Assert.Equal(ProtocolVectors.Argon2idAccount.SaltSha256Hex, Convert.ToHexStringLower(hashed));
    }

    [Fact]
    public void Argon2idMasterKey_MatchesSdkVector_WithSha256OfTheSalt()
    {
        var masterKey = MasterKeys.DeriveMasterKey(
            ProtocolVectors.SdkArgon2id.Password, ProtocolVectors.SdkArgon2id.Salt, ProtocolVectors.SdkArgon2id.Kdf);

        Assert.Equal(ProtocolVectors.SdkArgon2id.MasterKeyHex, Convert.ToHexStringLower(masterKey));
    }

    [Fact]
    public void Argon2idMasterKey_DoesNotDependOnEmailCaseOrSpaces()
    {
        var kdf = ProtocolVectors.Argon2idAccount.Kdf;
        var masterKey = MasterKeys.DeriveMasterKey(ProtocolVectors.Argon2idAccount.Password, " Test.User@EXAMPLE.com  ", kdf);

        Assert.Equal(ProtocolVectors.Argon2idAccount.MasterKeyHex, Convert.ToHexStringLower(masterKey));
    }

    [Fact]
    public void DeriveMasterKey_WithAKdfBelowTheMinimum_Throws()
    {
        // A server that answers prelogin with 5 000 iterations must not get a cheap master key out of the client.
        var weak = new KdfConfig(KdfType.Pbkdf2Sha256, 5_000);

        var error = Assert.Throws<ArgumentException>(() => MasterKeys.DeriveMasterKey("password", "a@b.c", weak));
        Assert.Contains("iterations", error.Message, StringComparison.Ordinal);
    }
}
