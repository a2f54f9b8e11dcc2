using System.Security.Cryptography;

using Coffer.Client.Integrity;
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
    /// <exception cref="CryptographicException">Wrong password (or e-mail/KDF): the MAC does not verify.</exception>
    /// <exception cref="ServerIntegrityException">
    /// Before the password is used: the key is not type 2 (<c>userkey-type0</c>, <c>userkey-type</c>; malicious-server.md
    /// BW11). After its MAC verified: it is not 64 bytes (<c>userkey-32byte</c>, BW12).
    /// </exception>
    public static SymmetricKey Unlock(string protectedUserKey, string password, string email, KdfConfig kdf)
    {
        var encrypted = EncString.Parse(protectedUserKey);
        AccountChecks.CheckProtectedUserKey(protectedUserKey);
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
            AccountChecks.CheckUserKeyLength(userKey.Length);
            return new SymmetricKey(userKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(userKey);
        }
    }
}
