using System.Security.Cryptography;
using Coffer.Client.Crypto;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;

namespace Coffer.Client.Vault;

/// <summary>
/// Builds the bodies of the master-password-bound account changes (account doc §3.1, §3.2, §3.4) the way the
/// clients compute them: the user key stays the same and is re-wrapped under a master key derived from the new
/// password, KDF or salt. Every method first unwraps the user key with the current password, so a wrong
/// password fails here (<see cref="CryptographicException"/>) before anything is sent.
/// </summary>
public static class MasterPasswordChanges
{
    /// <summary>The current login hash, as <see cref="SecretVerificationRequestModel.MasterPasswordHash"/>.</summary>
    public static SecretVerificationRequestModel Verification(string email, KdfConfig kdf, string password) =>
        new() { MasterPasswordHash = LoginHash(password, email, kdf) };

    /// <summary>
    /// <c>POST /api/accounts/password</c>, shape (b) with the legacy fields filled too: same KDF, same salt, same
    /// user key, new password.
    /// </summary>
    public static PasswordRequestModel ChangePassword(string email, KdfConfig kdf, string protectedUserKey, string currentPassword, string newPassword, string? hint)
    {
        var salt = AccountEmail.Normalize(email);
        var (currentHash, userKey) = Unlock(salt, kdf, protectedUserKey, currentPassword);
        using (userKey)
        {
            var (newHash, wrapped) = Wrap(userKey, newPassword, salt, kdf);
            var settings = KdfSettingsModel.From(kdf);
            return new PasswordRequestModel
            {
                MasterPasswordHash = currentHash,
                NewMasterPasswordHash = newHash,
                MasterPasswordHint = hint,
                Key = wrapped,
                AuthenticationData = new MasterPasswordAuthenticationModel { Salt = salt, Kdf = settings, MasterPasswordAuthenticationHash = newHash },
                UnlockData = new MasterPasswordUnlockDataModel { Salt = salt, Kdf = settings, MasterKeyWrappedUserKey = wrapped },
            };
        }
    }

    /// <summary><c>POST /api/accounts/kdf</c>: same password, same salt, same user key, new KDF.</summary>
    /// <exception cref="ArgumentException"><paramref name="newKdf"/> fails <see cref="KdfConfig.Validate"/>.</exception>
    public static KdfRequestModel ChangeKdf(string email, KdfConfig kdf, string protectedUserKey, string password, KdfConfig newKdf)
    {
        ArgumentNullException.ThrowIfNull(newKdf);
        if (newKdf.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(newKdf));
        }

        var salt = AccountEmail.Normalize(email);
        var (currentHash, userKey) = Unlock(salt, kdf, protectedUserKey, password);
        using (userKey)
        {
            var (newHash, wrapped) = Wrap(userKey, password, salt, newKdf);
            var settings = KdfSettingsModel.From(newKdf);
            return new KdfRequestModel
            {
                MasterPasswordHash = currentHash,
                AuthenticationData = new MasterPasswordAuthenticationModel { Salt = salt, Kdf = settings, MasterPasswordAuthenticationHash = newHash },
                UnlockData = new MasterPasswordUnlockDataModel { Salt = salt, Kdf = settings, MasterKeyWrappedUserKey = wrapped },
            };
        }
    }

    /// <summary>
    /// <c>POST /api/accounts/email</c>: the e-mail is the salt, so the login hash and the wrapped user key are
    /// recomputed under <paramref name="newEmail"/>. <paramref name="token"/> is the code mailed by step 1.
    /// </summary>
    public static EmailRequestModel ChangeEmail(string email, KdfConfig kdf, string protectedUserKey, string password, string newEmail, string? token)
    {
        var (currentHash, userKey) = Unlock(AccountEmail.Normalize(email), kdf, protectedUserKey, password);
        using (userKey)
        {
            var newSalt = AccountEmail.Normalize(newEmail);
            var (newHash, wrapped) = Wrap(userKey, password, newSalt, kdf);
            return new EmailRequestModel { MasterPasswordHash = currentHash, NewEmail = newSalt, Token = token, NewMasterPasswordHash = newHash, Key = wrapped };
        }
    }

    /// <summary>The login hash of <paramref name="password"/> (protocol §2.2).</summary>
    public static string LoginHash(string password, string email, KdfConfig kdf)
    {
        var masterKey = MasterKeys.DeriveMasterKey(password, email, kdf);
        try
        {
            return MasterKeys.HashMasterPassword(masterKey, password);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(masterKey);
        }
    }

    /// <summary>The login hash and the user key wrapped by the stretched master key of (<paramref name="password"/>, <paramref name="salt"/>, <paramref name="kdf"/>).</summary>
    public static (string LoginHash, string WrappedUserKey) Wrap(SymmetricKey userKey, string password, string salt, KdfConfig kdf)
    {
        ArgumentNullException.ThrowIfNull(userKey);
        var masterKey = MasterKeys.DeriveMasterKey(password, salt, kdf);
        var bytes = userKey.ToArray();
        try
        {
            using var stretched = MasterKeys.Stretch(masterKey);
            return (MasterKeys.HashMasterPassword(masterKey, password), EncString.Encrypt(bytes, stretched).ToString());
        }
        finally
        {
            CryptographicOperations.ZeroMemory(masterKey);
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>One KDF run for both the current login hash and the user key.</summary>
    /// <exception cref="CryptographicException">Wrong password.</exception>
    private static (string LoginHash, SymmetricKey UserKey) Unlock(string salt, KdfConfig kdf, string protectedUserKey, string password)
    {
        var masterKey = MasterKeys.DeriveMasterKey(password, salt, kdf);
        try
        {
            using var stretched = MasterKeys.Stretch(masterKey);
            var bytes = EncString.Parse(protectedUserKey).Decrypt(stretched);
            try
            {
                return bytes.Length == SymmetricKey.Length
                    ? (MasterKeys.HashMasterPassword(masterKey, password), new SymmetricKey(bytes))
                    : throw new CryptographicException("The protected user key is not a 64-byte key.");
            }
            finally
            {
                CryptographicOperations.ZeroMemory(bytes);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(masterKey);
        }
    }
}
