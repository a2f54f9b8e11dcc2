using System.Security.Cryptography;
using Coffer.Client.Crypto;
using Coffer.Protocol.Crypto;

namespace Coffer.Testing;

/// <summary>
/// A PRF passkey's key set as the web vault makes it (web/src/crypto.ts <c>makePrfKeySet</c>,
/// <c>bitwarden-sharing-features.md</c> §5.6) and opens it after a passkey login (<c>unwrapUserKeyWithPrf</c>): a fresh
/// RSA-2048 key pair; the user key wrapped to its public key (type 4, RSA-OAEP-SHA1), the SPKI public key under the user
/// key (type 2) and the PKCS#8 private key under the PRF key (type 2), the 32-byte PRF output stretched with
/// HKDF-Expand (<c>enc</c>, <c>mac</c>) like a master key.
/// </summary>
public static class PrfKeySet
{
    /// <summary>The PRF input of every passkey login: SHA-256 of UTF-8 <c>passwordless-login</c>.</summary>
    public static byte[] Salt() => SHA256.HashData("passwordless-login"u8);

    public static (string EncryptedUserKey, string EncryptedPublicKey, string EncryptedPrivateKey) Make(byte[] prfOutput, SymmetricKey userKey)
    {
        using var prfKey = MasterKeys.Stretch(prfOutput);
        using var pair = RSA.Create(2048);
        var spki = pair.ExportSubjectPublicKeyInfo();
        var pkcs8 = pair.ExportPkcs8PrivateKey();
        return (OrganizationKeys.Wrap(userKey, Convert.ToBase64String(spki)), EncString.Encrypt(spki, userKey).ToString(), EncString.Encrypt(pkcs8, prfKey).ToString());
    }

    /// <summary>The user key from a key set's private key (under the PRF key) and <paramref name="encryptedUserKey"/>; the caller disposes it.</summary>
    /// <exception cref="CryptographicException">Another PRF output, or a user key wrapped to another public key.</exception>
    public static SymmetricKey Open(byte[] prfOutput, string encryptedPrivateKey, string encryptedUserKey)
    {
        using var prfKey = MasterKeys.Stretch(prfOutput);
        using var privateKey = AccountKeyPair.DecryptPrivateKey(EncString.Parse(encryptedPrivateKey), prfKey);
        return OrganizationKeys.Unwrap(encryptedUserKey, privateKey);
    }
}
