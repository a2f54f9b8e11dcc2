using System.Security.Cryptography;
using Coffer.Client.Crypto;
using Coffer.Protocol.Crypto;

namespace Coffer.Client.Tests;

public sealed class AccountKeyPairTests
{
    [Fact]
    public void KeyPair_RoundTrips_PublicKeyIsSpki_AndPrivateKeyDecryptsWhatItEncrypts()
    {
        using var userKey = SymmetricKey.Generate();

        var (publicKey, encryptedPrivateKey) = AccountKeyPair.Generate(userKey);

        using var publicRsa = RSA.Create();
        publicRsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(publicKey), out var read);
        Assert.Equal(Convert.FromBase64String(publicKey).Length, read);
        Assert.Equal(2048, publicRsa.KeySize);
        Assert.Equal([0x01, 0x00, 0x01], publicRsa.ExportParameters(false).Exponent);

        Assert.Equal(EncryptionType.AesCbc256_HmacSha256_B64, encryptedPrivateKey.Type);
        using var privateRsa = AccountKeyPair.DecryptPrivateKey(EncString.Parse(encryptedPrivateKey.ToString()), userKey);
        Assert.Equal(publicRsa.ExportSubjectPublicKeyInfo(), privateRsa.ExportSubjectPublicKeyInfo());

        // Type 4 (RSA-OAEP-SHA1) is how organisation keys are shared to a user (protocol §2.3).
        var secret = RandomNumberGenerator.GetBytes(64);
        var wrapped = publicRsa.Encrypt(secret, RSAEncryptionPadding.OaepSHA1);
        Assert.Equal(secret, privateRsa.Decrypt(wrapped, RSAEncryptionPadding.OaepSHA1));
    }

    [Fact]
    public void DecryptPrivateKey_WithTheWrongUserKey_Throws()
    {
        using var userKey = SymmetricKey.Generate();
        using var otherKey = SymmetricKey.Generate();
        var (_, encryptedPrivateKey) = AccountKeyPair.Generate(userKey);

        Assert.Throws<CryptographicException>(() => AccountKeyPair.DecryptPrivateKey(encryptedPrivateKey, otherKey));
    }

    [Fact]
    public void DecryptPrivateKey_OfSomethingThatIsNotPkcs8_Throws()
    {
        using var userKey = SymmetricKey.Generate();
        var notAKey = EncString.EncryptString("not a private key", userKey);

        Assert.Throws<CryptographicException>(() => AccountKeyPair.DecryptPrivateKey(notAKey, userKey));
    }
}
