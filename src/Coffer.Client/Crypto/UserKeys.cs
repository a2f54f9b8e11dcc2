using System.Security.Cryptography;

using Coffer.Protocol.Crypto;

namespace Coffer.Client.Crypto;

/// <summary>Unlocking a vault: getting the user key back from the password (protocol §2.2).</summary>
public static class UserKeys
{
    /// <summary>
    /// Unwraps the protected user key (<c>Key</c> on the wire): derives the master key from
    /// <paramref name="password"/> and <paramref name="email"/> with <paramref name="kdf"/>, stretches it, and
    /// decrypts the type 2 EncString. The caller owns the returned key.
    /// </summary>
    /// <exception cref="FormatException"><paramref name="protectedUserKey"/> is not a well-formed EncString.</exception>
    /// <exception cref="ArgumentException"><paramref name="kdf"/> fails <see cref="KdfConfig.Validate"/>.</exception>
    /// <exception cref="CryptographicException">Wrong password (or e-mail/KDF), or the key is not 64 bytes.</exception>
    public static SymmetricKey Unlock(string protectedUserKey, string password, string email, KdfConfig kdf)
    {
        var encrypted = EncString.Parse(protectedUserKey);
        var masterKey = MasterKeys.DeriveMasterKey(password, email, kdf);
        byte[] userKey;
        try
        {
            using var stretched = MasterKeys.Stretch(masterKey);
            userKey = encrypted.Decrypt(stretched);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(masterKey);
        }

        try
        {
            return userKey.Length == SymmetricKey.Length
                ? new SymmetricKey(userKey)
                : throw new CryptographicException(
                    $"The protected user key decrypts to {userKey.Length} bytes; a V1 user key is {SymmetricKey.Length}.");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(userKey);
        }
    }
}
