using System.Security.Cryptography;
using Coffer.Client.Crypto;
using Coffer.Client.Vault;
using Coffer.Protocol.Api;
using Coffer.Protocol.Crypto;

namespace Coffer.Client.Emergency;

/// <summary>
/// The client side of emergency access (bitwarden-sharing-features.md §4.4): the grantor's client wraps its 64-byte
/// user key for the grantee's RSA public key (EncString type 4, RSA-2048-OAEP-SHA1, exactly as organization keys are
/// shared); the grantee's client unwraps it with its own private key to read the grantor's items (view) or to set a
/// new master password for the grantor's account (takeover). The server never sees a key in the clear.
/// </summary>
public static class EmergencyAccessCrypto
{
    /// <summary>
    /// The <c>key</c> of <c>POST /api/emergency-access/{id}/confirm</c>: <c>"4." + Base64(RSA-OAEP-SHA1(granteePublicKey, userKey))</c>.
    /// Check the grantee's fingerprint phrase for <paramref name="granteePublicKey"/> first (<see cref="FingerprintPhrase"/>).
    /// </summary>
    /// <param name="userKey">The grantor's user key (64 bytes).</param>
    /// <param name="granteePublicKey">Base64 SPKI from <c>GET /api/users/{granteeId}/public-key</c>.</param>
    /// <exception cref="CryptographicException">The public key is not a valid RSA SPKI.</exception>
    public static string WrapUserKey(SymmetricKey userKey, string granteePublicKey) => OrganizationKeys.Wrap(userKey, granteePublicKey);

    /// <summary>The grantor's user key from <c>keyEncrypted</c> (view or takeover answer) and the grantee's private key; the caller disposes it.</summary>
    /// <exception cref="CryptographicException">Not type 4, not for this private key, or not 64 bytes.</exception>
    /// <exception cref="FormatException"><paramref name="keyEncrypted"/> is not an EncString.</exception>
    public static SymmetricKey UnwrapGrantorKey(string keyEncrypted, RSA granteePrivateKey) =>
        OrganizationKeys.Unwrap(keyEncrypted, granteePrivateKey, "The grantor's key");

    /// <summary>
    /// The grantor's items from a view answer, decrypted with the unwrapped grantor key; dispose the result to zero
    /// the key. Only personal items are kept (a view answer has no others, E-11).
    /// </summary>
    /// <exception cref="CryptographicException">The key or an item does not decrypt.</exception>
    public static EmergencyVault OpenView(EmergencyAccessViewResponseModel view, RSA granteePrivateKey)
    {
        ArgumentNullException.ThrowIfNull(view);
        var grantorKey = UnwrapGrantorKey(view.KeyEncrypted, granteePrivateKey);
        try
        {
            var keys = VaultKeys.Open(null, grantorKey);
            var items = view.Ciphers
                .Where(c => string.IsNullOrEmpty(c.OrganizationId))
                .Select(c => (c, VaultCrypto.Decrypt(c, keys)))
                .ToList();
            return new EmergencyVault(grantorKey, keys, items);
        }
        catch
        {
            grantorKey.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The body of <c>POST /api/emergency-access/{id}/password</c> for a takeover answer: the grantor's user key
    /// (unwrapped with the grantee's private key) wrapped under the master key of <paramref name="newPassword"/>,
    /// derived with the grantor's KDF and salt as the server sent them (the KDF does not change, §4.5), and the new
    /// login hash. Sent in the newer shape (<c>authenticationData</c> + <c>unlockData</c>), with the same salt and KDF in both.
    /// </summary>
    /// <param name="takeover">The answer of <c>POST …/{id}/takeover</c>.</param>
    /// <param name="granteePrivateKey">The caller's own RSA private key.</param>
    /// <param name="newPassword">The grantor's new master password.</param>
    /// <param name="grantorEmail">The salt when the server sends none (older servers; the web vault does the same).</param>
    /// <exception cref="CryptographicException">The key does not decrypt with this private key.</exception>
    /// <exception cref="ArgumentException">The KDF settings are out of the accepted range (<see cref="KdfConfig.Validate"/>), or there is no salt.</exception>
    public static EmergencyAccessPasswordRequestModel Takeover(
        EmergencyAccessTakeoverResponseModel takeover, RSA granteePrivateKey, string newPassword, string? grantorEmail)
    {
        ArgumentNullException.ThrowIfNull(takeover);
        ArgumentException.ThrowIfNullOrEmpty(newPassword);
        var kdf = new KdfConfig(takeover.Kdf, takeover.KdfIterations, takeover.KdfMemory, takeover.KdfParallelism);
        if (kdf.Validate() is { } problem)
        {
            // A server that lowers the KDF here would make the new password cheap to guess; refuse before deriving.
            throw new ArgumentException($"The grantor's KDF settings are not acceptable: {problem}", nameof(takeover));
        }

        var salt = takeover.Salt is { Length: > 0 } given ? given
            : grantorEmail is { Length: > 0 } email ? AccountEmail.Normalize(email)
            : throw new ArgumentException("The takeover answer has no salt and no grantor e-mail was given.", nameof(grantorEmail));
        using var grantorKey = UnwrapGrantorKey(takeover.KeyEncrypted, granteePrivateKey);
        var (loginHash, wrapped) = MasterPasswordChanges.Wrap(grantorKey, newPassword, salt, kdf);
        var settings = KdfSettingsModel.From(kdf);
        return new EmergencyAccessPasswordRequestModel
        {
            AuthenticationData = new MasterPasswordAuthenticationModel { Salt = salt, Kdf = settings, MasterPasswordAuthenticationHash = loginHash },
            UnlockData = new MasterPasswordUnlockDataModel { Salt = salt, Kdf = settings, MasterKeyWrappedUserKey = wrapped },
        };
    }
}

/// <summary>A grantor's vault opened by the grantee (<see cref="EmergencyAccessCrypto.OpenView"/>): read-only items and the key they are under.</summary>
public sealed class EmergencyVault(SymmetricKey grantorKey, VaultKeys keys, IReadOnlyList<(CipherDetailsResponseModel Cipher, VaultItem Item)> items) : IDisposable
{
    /// <summary>The grantor's user key as <see cref="VaultKeys"/> (for attachment keys: <see cref="Files.AttachmentCrypto.ItemKey"/>).</summary>
    public VaultKeys Keys { get; } = keys;

    public IReadOnlyList<(CipherDetailsResponseModel Cipher, VaultItem Item)> Items { get; } = items;

    public void Dispose()
    {
        Keys.Dispose();
        grantorKey.Dispose();
    }
}
