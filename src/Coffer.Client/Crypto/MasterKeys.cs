using System.Security.Cryptography;
using System.Text;
using Coffer.Protocol.Api;

using Coffer.Protocol.Crypto;

namespace Coffer.Client.Crypto;

/// <summary>
/// The password side of the V1 key chain (protocol §2.2): master key, the login hash sent to the server,
/// and the stretched key that wraps the user key.
/// </summary>
public static class MasterKeys
{
    private const int MasterKeyLength = 32;

    /// <summary>
    /// Derives the 32-byte master key (protocol §2.2).
    /// PBKDF2: <c>PBKDF2-HMAC-SHA256(utf8 password, utf8 salt, iterations, 32)</c>.
    /// Argon2id: <c>Argon2id(utf8 password, SHA-256(utf8 salt), t, m·1024 KiB, p, 32)</c>, version 0x13.
    /// The salt is <see cref="AccountEmail.Normalize"/>(<paramref name="email"/>).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="kdf"/> fails <see cref="KdfConfig.Validate"/>.</exception>
    public static byte[] DeriveMasterKey(string password, string email, KdfConfig kdf)
    {
        ArgumentNullException.ThrowIfNull(email);
        return DeriveFromSalt(password, Encoding.UTF8.GetBytes(AccountEmail.Normalize(email)), kdf);
    }

    /// <summary>
    /// The same derivation as <see cref="DeriveMasterKey"/> with a raw salt instead of an e-mail: the file key of
    /// a password-protected export uses the UTF-8 bytes of its random base64 salt, which must not be lower-cased
    /// (Bitwarden's <c>KeyService.makePinKey</c>, used by the export services).
    /// </summary>
    /// <returns>32 bytes.</returns>
    /// <exception cref="ArgumentException"><paramref name="kdf"/> fails <see cref="KdfConfig.Validate"/>.</exception>
    public static byte[] DeriveFromSalt(string password, byte[] salt, KdfConfig kdf)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(salt);
        ArgumentNullException.ThrowIfNull(kdf);

        // The KDF parameters come from the server at prelogin; refusing weak ones here is the client's guard
        // against a server that downgrades the KDF to make the master key cheap to brute-force.
        if (kdf.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(kdf));
        }

        if (kdf.Type == KdfType.Pbkdf2Sha256)
        {
            return Rfc2898DeriveBytes.Pbkdf2(password, salt, kdf.Iterations, HashAlgorithmName.SHA256, MasterKeyLength);
        }

        // The SDK (bitwarden-crypto kdf.rs) hashes the salt first, so any e-mail length satisfies Argon2's
        // 8-byte salt minimum.
        var passwordBytes = Encoding.UTF8.GetBytes(password);
        try
        {
            return Argon2.HashArgon2id(
                passwordBytes,
                SHA256.HashData(salt),
                kdf.Iterations,
                kdf.Memory!.Value * 1024,
                kdf.Parallelism!.Value,
                MasterKeyLength);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordBytes);
        }
    }

    /// <summary>
    /// The login secret the client sends as <c>password</c> (protocol §2.2):
    /// <c>Base64(PBKDF2-HMAC-SHA256(key = masterKey, salt = utf8 password, 1 iteration, 32 bytes))</c>.
    /// </summary>
    public static string HashMasterPassword(byte[] masterKey, string password)
    {
        ArgumentNullException.ThrowIfNull(masterKey);
        ArgumentNullException.ThrowIfNull(password);

        // One iteration on purpose: the work factor is already in the master key, and this hash is only the
        // proof of knowledge sent to the server (legacy-compat-key.service.ts, hashMasterKey).
        var passwordBytes = Encoding.UTF8.GetBytes(password);
        try
        {
            var hash = Rfc2898DeriveBytes.Pbkdf2(masterKey, passwordBytes, 1, HashAlgorithmName.SHA256, 32);
            return Convert.ToBase64String(hash);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordBytes);
        }
    }

    /// <summary>
    /// Stretches the 32-byte master key into the 64-byte key that wraps the user key (protocol §2.2):
    /// <c>encKey = HKDF-Expand(masterKey, "enc", 32)</c>, <c>macKey = HKDF-Expand(masterKey, "mac", 32)</c>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="masterKey"/> is not 32 bytes.</exception>
    public static SymmetricKey Stretch(byte[] masterKey)
    {
        ArgumentNullException.ThrowIfNull(masterKey);
        if (masterKey.Length != MasterKeyLength)
        {
            throw new ArgumentException($"A master key is {MasterKeyLength} bytes; got {masterKey.Length}.", nameof(masterKey));
        }

        // Expand only, no Extract: the master key is used directly as the PRK (RFC 5869 §2.3), as all clients do.
        Span<byte> stretched = stackalloc byte[SymmetricKey.Length];
        HKDF.Expand(HashAlgorithmName.SHA256, masterKey, stretched[..32], "enc"u8);
        HKDF.Expand(HashAlgorithmName.SHA256, masterKey, stretched[32..], "mac"u8);
        try
        {
            return new SymmetricKey(stretched);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(stretched);
        }
    }
}
