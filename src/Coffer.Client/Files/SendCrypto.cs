using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Coffer.Client.Crypto;
using Coffer.Protocol.Crypto;

namespace Coffer.Client.Files;

/// <summary>
/// Send keys as the Bitwarden clients make them (bitwarden-sharing-features.md §3.3): a 16-byte random seed travels in
/// the link's fragment (never to the server); the Send key is <c>HKDF-SHA256(IKM = seed, salt = "bitwarden-send",
/// info = "send", L = 64)</c> (full RFC 5869 Extract-then-Expand) and encrypts the name, notes, text, file name and
/// file; the owner keeps the seed wrapped under the user key as the Send's <c>key</c>. The Send password goes to the
/// server only as <c>Base64(PBKDF2-HMAC-SHA256(password, salt = seed, 100 000, 32))</c>.
/// </summary>
public static class SendCrypto
{
    public const int SeedLength = 16;

    /// <summary>PBKDF2 iterations of the Send password hash (the clients' <c>SEND_KDF_ITERATIONS</c>).</summary>
    public const int PasswordIterations = 100_000;

    private static ReadOnlySpan<byte> HkdfSalt => "bitwarden-send"u8;

    private static ReadOnlySpan<byte> HkdfInfo => "send"u8;

    /// <summary>16 random bytes from <see cref="RandomNumberGenerator"/>; the caller zeroes them when done.</summary>
    public static byte[] NewSeed() => RandomNumberGenerator.GetBytes(SeedLength);

    /// <summary>The 64-byte Send key (encKey ‖ macKey) derived from <paramref name="seed"/> with HKDF-SHA256.</summary>
    public static SymmetricKey DeriveKey(ReadOnlySpan<byte> seed)
    {
        Span<byte> key = stackalloc byte[SymmetricKey.Length];
        try
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA256, seed, key, HkdfSalt, HkdfInfo);
            return new SymmetricKey(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>What the client sends as <c>password</c> and <c>password_hash_b64</c>: standard Base64 of 32 PBKDF2 bytes.</summary>
    public static string PasswordHash(string password, ReadOnlySpan<byte> seed)
    {
        ArgumentNullException.ThrowIfNull(password);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), seed, PasswordIterations, HashAlgorithmName.SHA256, 32);
        return Convert.ToBase64String(hash);
    }

    /// <summary>The Send's <c>key</c> field: the seed as a type 2 EncString under the owner's user key.</summary>
    public static string WrapSeed(ReadOnlySpan<byte> seed, SymmetricKey userKey) => EncString.Encrypt(seed, userKey).ToString();

    /// <summary>The seed back from the Send's <c>key</c> field; the caller zeroes it.</summary>
    /// <exception cref="CryptographicException">Not under this user key.</exception>
    public static byte[] UnwrapSeed(string wrappedSeed, SymmetricKey userKey) => EncString.Parse(wrappedSeed).Decrypt(userKey);

    /// <summary>The link's key part: url-safe Base64 without padding of the seed.</summary>
    public static string UrlKey(ReadOnlySpan<byte> seed) => Base64Url.EncodeToString(seed);
}
