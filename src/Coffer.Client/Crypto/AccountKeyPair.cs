using System.Security.Cryptography;

using Coffer.Protocol.Crypto;

namespace Coffer.Client.Crypto;

/// <summary>
/// The account's RSA key pair (protocol §2.2): organisations and shares encrypt keys to the public key,
/// and the private key travels only wrapped under the user key.
/// </summary>
public static class AccountKeyPair
{
    private const int KeySizeBits = 2048;

    /// <summary>
    /// Generates RSA-2048 (e = 65537, the platform default).
    /// </summary>
    /// <returns>
    /// <c>PublicKey</c>: Base64 of the DER SubjectPublicKeyInfo, stored in clear.
    /// <c>EncryptedPrivateKey</c>: type 2 EncString of the DER PKCS#8 PrivateKeyInfo under <paramref name="userKey"/>.
    /// </returns>
    public static (string PublicKey, EncString EncryptedPrivateKey) Generate(SymmetricKey userKey)
    {
        ArgumentNullException.ThrowIfNull(userKey);
        using var rsa = RSA.Create(KeySizeBits);
        var publicKey = Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());
        var privateKey = rsa.ExportPkcs8PrivateKey();
        try
        {
            return (publicKey, EncString.Encrypt(privateKey, userKey));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateKey);
        }
    }

    /// <summary>Unwraps the PKCS#8 private key. The caller owns the returned <see cref="RSA"/>.</summary>
    /// <exception cref="CryptographicException">Wrong user key, tampered data, or not a PKCS#8 RSA key.</exception>
    public static RSA DecryptPrivateKey(EncString encryptedPrivateKey, SymmetricKey userKey)
    {
        ArgumentNullException.ThrowIfNull(encryptedPrivateKey);
        var privateKey = encryptedPrivateKey.Decrypt(userKey);
        var rsa = RSA.Create();
        try
        {
            rsa.ImportPkcs8PrivateKey(privateKey, out var bytesRead);
            if (bytesRead != privateKey.Length)
            {
                throw new CryptographicException("The decrypted private key has trailing bytes after the PKCS#8 structure.");
            }

            return rsa;
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateKey);
        }
    }
}
