using System.Security.Cryptography;
using Coffer.Client.Crypto;
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
    public void Unlock_OfAProtectedValueThatIsNot64Bytes_Throws()
    {
        var masterKey = Convert.FromHexString(ProtocolVectors.Pbkdf2Account.MasterKeyHex);
        using var stretched = MasterKeys.Stretch(masterKey);
        var wrapped = EncString.Encrypt(new byte[32], stretched).ToString();

        Assert.Throws<CryptographicException>(() => UserKeys.Unlock(
            wrapped, ProtocolVectors.Pbkdf2Account.Password, ProtocolVectors.Pbkdf2Account.Salt, ProtocolVectors.Pbkdf2Account.Kdf));
    }
}
