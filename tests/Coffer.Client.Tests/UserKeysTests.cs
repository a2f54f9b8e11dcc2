using System.Security.Cryptography;
using Coffer.Client.Crypto;
using Coffer.Client.Integrity;
using Coffer.Protocol.Crypto;

namespace Coffer.Client.Tests;

public sealed class UserKeysTests
{
    [Fact]
    public void Unlock_OfTheProtocolVector_GivesTheTestUserKey()
    {
        using var userKey = UserKeys.Unlock(
            ProtocolVectors.ProtectedUserKey.EncString,
            ProtocolVectors.Pbkdf2Account.Password,
            ProtocolVectors.Pbkdf2Account.EmailAsTyped,
            ProtocolVectors.Pbkdf2Account.Kdf);

        Assert.Equal(ProtocolVectors.ProtectedUserKey.UserKeyBytes(), userKey.ToArray());
        Assert.Equal(ProtocolVectors.ProtectedUserKey.UserKeyId, userKey.KeyId);
    }

    [Fact]
    public void Unlock_WithTheWrongPassword_Throws()
    {
        Assert.Throws<CryptographicException>(() => UserKeys.Unlock(
            ProtocolVectors.ProtectedUserKey.EncString,
            "correct horse battery stapler",
            ProtocolVectors.Pbkdf2Account.EmailAsTyped,
            ProtocolVectors.Pbkdf2Account.Kdf));
    }

    [Fact]
    public void Unlock_WithTheWrongEmail_Throws()
    {
        Assert.Throws<CryptographicException>(() => UserKeys.Unlock(
            ProtocolVectors.ProtectedUserKey.EncString,
            ProtocolVectors.Pbkdf2Account.Password,
            "other@example.com",
            ProtocolVectors.Pbkdf2Account.Kdf));
    }

    [Fact]
    public void Unlock_OfAMalformedProtectedKey_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => UserKeys.Unlock(
            "not an EncString", ProtocolVectors.Pbkdf2Account.Password, ProtocolVectors.Pbkdf2Account.Salt, KdfConfig.DefaultPbkdf2));
    }

    [Fact]
    public void Unlock_OfAProtectedValueThatIsNot64Bytes_IsRefusedAsUserKey32Byte()
    {
        var masterKey = Convert.FromHexString(ProtocolVectors.Pbkdf2Account.MasterKeyHex);
        using var stretched = MasterKeys.Stretch(masterKey);
        var wrapped = EncString.Encrypt(new byte[32], stretched).ToString();

        var refusal = Assert.Throws<ServerIntegrityException>(() => UserKeys.Unlock(
            wrapped, ProtocolVectors.Pbkdf2Account.Password, ProtocolVectors.Pbkdf2Account.Salt, ProtocolVectors.Pbkdf2Account.Kdf));
        Assert.Equal("userkey-32byte", refusal.Code);
    }

    [Fact]
    public void Unlock_OfAType0ProtectedKey_IsRefusedAsUserKeyType0_BeforeThePasswordIsTried()
    {
        // A well-formed type 0 value: a wrong password would fail the same way, so the refusal must come from the type.
        var type0 = "0." + Convert.ToBase64String(new byte[16]) + "|" + Convert.ToBase64String(new byte[80]);

        var refusal = Assert.Throws<ServerIntegrityException>(() => UserKeys.Unlock(
            type0, "not the password", ProtocolVectors.Pbkdf2Account.Salt, ProtocolVectors.Pbkdf2Account.Kdf));
        Assert.Equal("userkey-type0", refusal.Code);
    }

    [Fact]
    public void Unlock_WithAValidMacButTheWrongPassword_StaysAnInvalidPassword()
    {
        var masterKey = Convert.FromHexString(ProtocolVectors.Pbkdf2Account.MasterKeyHex);
        using var stretched = MasterKeys.Stretch(masterKey);
        var wrapped = EncString.Encrypt(new byte[32], stretched).ToString();

        Assert.Throws<CryptographicException>(() => UserKeys.Unlock(
            wrapped, "another password", ProtocolVectors.Pbkdf2Account.Salt, ProtocolVectors.Pbkdf2Account.Kdf));
    }
}
