using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Coffer.Protocol.Crypto;

namespace Coffer.Client.Crypto;

/// <summary>
/// Type 2 EncString encryption and decryption (protocol bitwarden.md §2.3: AES-256-CBC with PKCS#7, then
/// HMAC-SHA256 over <c>iv || ct</c>), as extension members of <see cref="EncString"/>, so that parsing stays in
/// Coffer.Protocol (which the server uses to validate what clients store) and only clients hold the crypto.
/// </summary>
[SuppressMessage("Naming", "CA1708", Justification = "The analyzer sees the two C# 14 extension blocks as members named alike.")]
public static class EncStringCrypto
{
    private const int IvLength = 16;

    /// <summary>The one message of every failed symmetric decryption: a wrong key, a tampered value or a type other than 2.</summary>
    public const string NotDecryptable = "The EncString's MAC does not match: wrong key, or the data was tampered with.";

    extension(EncString)
    {
        /// <summary>Encrypts as type 2 with a fresh random 16-byte IV.</summary>
        public static EncString Encrypt(ReadOnlySpan<byte> plaintext, SymmetricKey key)
        {
            Span<byte> iv = stackalloc byte[IvLength];
            RandomNumberGenerator.Fill(iv);
            return EncryptWithIv(plaintext, key, iv);
        }

        /// <summary>Encrypts the UTF-8 bytes of <paramref name="plaintext"/> as type 2.</summary>
        public static EncString EncryptString(string plaintext, SymmetricKey key)
        {
            ArgumentNullException.ThrowIfNull(plaintext);
            var bytes = Encoding.UTF8.GetBytes(plaintext);
            try
            {
                return EncString.Encrypt(bytes, key);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(bytes);
            }
        }
    }

    extension(EncString encString)
    {
        /// <summary>
        /// Decrypts a type 2 EncString. The MAC is checked in constant time before any decryption, so a tampered
        /// ciphertext never reaches the CBC padding check (no padding oracle).
        /// </summary>
        /// <exception cref="CryptographicException">Wrong key, tampered IV/ciphertext/MAC, or a type other than 2.</exception>
        public byte[] Decrypt(SymmetricKey key)
        {
            ArgumentNullException.ThrowIfNull(key);
            // Any other type (above all type 0, CBC without a MAC) fails with the MAC failure's exact words: one generic
            // error, so neither a type downgrade nor a padding problem can be told apart from a wrong key (malicious-server.md BW12).
            if (encString.Type != EncryptionType.AesCbc256_HmacSha256_B64)
            {
                throw new CryptographicException(NotDecryptable);
            }

            var expectedMac = ComputeMac(key, encString.Iv.Span, encString.Data.Span);
            if (!CryptographicOperations.FixedTimeEquals(expectedMac, encString.Mac.Span))
            {
                throw new CryptographicException(NotDecryptable);
            }

            using var aes = CreateAes(key);
            return aes.DecryptCbc(encString.Data.Span, encString.Iv.Span, PaddingMode.PKCS7);
        }

        /// <summary>Decrypts like <see cref="Decrypt"/> and reads the plaintext as UTF-8.</summary>
        /// <exception cref="CryptographicException">As <see cref="Decrypt"/>, or the plaintext is not valid UTF-8.</exception>
        public string DecryptString(SymmetricKey key)
        {
            var bytes = encString.Decrypt(key);
            try
            {
                return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
            }
            catch (DecoderFallbackException e)
            {
                throw new CryptographicException("The decrypted EncString is not valid UTF-8.", e);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(bytes);
            }
        }
    }

    /// <summary>Encrypts as type 2 with a caller-chosen IV; only for known-answer tests, since an IV must never repeat.</summary>
    internal static EncString EncryptWithIv(ReadOnlySpan<byte> plaintext, SymmetricKey key, ReadOnlySpan<byte> iv)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (iv.Length != IvLength)
        {
            throw new ArgumentException($"The IV is {IvLength} bytes; got {iv.Length}.", nameof(iv));
        }

        byte[] ciphertext;
        using (var aes = CreateAes(key))
        {
            ciphertext = aes.EncryptCbc(plaintext, iv, PaddingMode.PKCS7);
        }

        return EncString.FromAesCbcHmacParts(iv, ciphertext, ComputeMac(key, iv, ciphertext));
    }

    internal static Aes CreateAes(SymmetricKey key)
    {
        var aes = Aes.Create();
        var encKey = key.EncKey.ToArray();
        try
        {
            aes.Key = encKey;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(encKey);
        }

        return aes;
    }

    private static byte[] ComputeMac(SymmetricKey key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> ciphertext)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key.MacKey);
        hmac.AppendData(iv);
        hmac.AppendData(ciphertext);
        return hmac.GetHashAndReset();
    }
}
