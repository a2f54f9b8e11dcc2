using System.Security.Cryptography;
using System.Text;
using Coffer.Protocol.Api;

using Coffer.Protocol.Crypto;

namespace Coffer.Client.Crypto;

/// <summary>
/// Everything a client computes to register an account (protocol §5.4) and later logs in / unlocks with.
/// <see cref="MasterPasswordHash"/> is the login secret; <see cref="ProtectedUserKey"/> and
/// <see cref="EncryptedPrivateKey"/> are type 2 EncStrings; <see cref="PublicKey"/> is Base64 DER SPKI;
/// <see cref="UserKeyId"/> is 32 lowercase hex characters (§2.4).
/// </summary>
public sealed record NewAccount(
    string Email,
    KdfConfig Kdf,
    string MasterPasswordHash,
    string ProtectedUserKey,
    string PublicKey,
    string EncryptedPrivateKey,
    string UserKeyId)
{
    /// <summary>
    /// Runs the V1 key chain of protocol §2.2 for a new account: normalizes the e-mail, derives the master key,
    /// its login hash and stretched key, generates a random user key wrapped under the stretched key, and an
    /// RSA-2048 key pair whose private half is wrapped under the user key.
    /// </summary>
    /// <exception cref="ArgumentException">Blank e-mail, or <paramref name="kdf"/> fails <see cref="KdfConfig.Validate"/>.</exception>
    public static NewAccount Create(string email, string password, KdfConfig kdf)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(email);
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(kdf);

        var normalizedEmail = AccountEmail.Normalize(email);
        var masterKey = MasterKeys.DeriveMasterKey(password, normalizedEmail, kdf);
        try
        {
            var masterPasswordHash = MasterKeys.HashMasterPassword(masterKey, password);
            using var stretched = MasterKeys.Stretch(masterKey);
            using var userKey = SymmetricKey.Generate();
            var userKeyBytes = userKey.ToArray();
            string protectedUserKey;
            try
            {
                protectedUserKey = EncString.Encrypt(userKeyBytes, stretched).ToString();
            }
            finally
            {
                CryptographicOperations.ZeroMemory(userKeyBytes);
            }

            var (publicKey, encryptedPrivateKey) = AccountKeyPair.Generate(userKey);
            return new NewAccount(
                normalizedEmail,
                kdf,
                masterPasswordHash,
                protectedUserKey,
                publicKey,
                encryptedPrivateKey.ToString(),
                userKey.KeyId);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(masterKey);
        }
    }

    // The login hash is a password equivalent; keep it out of logs and exception messages that print the record.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Email = ").Append(Email)
            .Append(", Kdf = ").Append(Kdf)
            .Append(", UserKeyId = ").Append(UserKeyId);
        return true;
    }
}
