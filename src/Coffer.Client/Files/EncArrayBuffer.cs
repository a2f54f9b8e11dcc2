using System.Security.Cryptography;
using Coffer.Client.Crypto;

namespace Coffer.Client.Files;

/// <summary>
/// File encryption as the Bitwarden clients do it for attachments and Send files (bitwarden-sharing-features.md §1.1):
/// <c>0x02 | IV (16) | HMAC-SHA256(macKey, IV || ct) (32) | ct = AES-256-CBC(encKey, IV, PKCS#7(plaintext))</c>.
/// The MAC sits before the ciphertext, so encryption writes to a seekable stream and fills the MAC in at the end;
/// decryption reads a seekable stream twice, checking the MAC over all of it before a single plaintext byte is
/// written, so memory stays at one buffer whatever the file size.
/// </summary>
public static class EncArrayBuffer
{
    /// <summary>The type byte: AES-256-CBC + HMAC-SHA256 (the clients refuse any other for files).</summary>
    public const byte AesCbc256HmacSha256 = 2;

    /// <summary>Bytes before the ciphertext: type, IV, MAC.</summary>
    public const int HeaderLength = 1 + IvLength + MacLength;

    private const int IvLength = 16;
    private const int MacLength = 32;
    private const int BlockLength = 16;
    private const int BufferLength = 1 << 16;

    /// <summary>Length of the encrypted file for <paramref name="plaintextLength"/> bytes: <c>49 + 16·(⌊n/16⌋ + 1)</c>.</summary>
    public static long EncryptedLength(long plaintextLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextLength);
        return HeaderLength + (BlockLength * ((plaintextLength / BlockLength) + 1));
    }

    /// <summary>Encrypts a small buffer in memory with a fresh random IV.</summary>
    public static byte[] Encrypt(ReadOnlySpan<byte> plaintext, SymmetricKey key)
    {
        Span<byte> iv = stackalloc byte[IvLength];
        RandomNumberGenerator.Fill(iv);
        return EncryptWithIv(plaintext, key, iv);
    }

    /// <summary>Decrypts a small buffer in memory; the MAC is checked (in constant time) before decryption.</summary>
    /// <exception cref="CryptographicException">Not this layout, wrong key, or tampered bytes.</exception>
    public static byte[] Decrypt(ReadOnlySpan<byte> encrypted, SymmetricKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        CheckLayout(encrypted.Length, encrypted.IsEmpty ? (byte)0 : encrypted[0]);
        var iv = encrypted.Slice(1, IvLength);
        var ciphertext = encrypted[HeaderLength..];
        using (var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key.MacKey))
        {
            hmac.AppendData(iv);
            hmac.AppendData(ciphertext);
            CheckMac(hmac, encrypted.Slice(1 + IvLength, MacLength));
        }

        using var aes = EncStringCrypto.CreateAes(key);
        return aes.DecryptCbc(ciphertext, iv, PaddingMode.PKCS7);
    }

    /// <summary>
    /// Encrypts everything <paramref name="plaintext"/> yields into <paramref name="output"/> (seekable and writable,
    /// written from its current position) with a fresh random IV. Returns the encrypted length.
    /// </summary>
    public static Task<long> EncryptAsync(Stream plaintext, Stream output, SymmetricKey key, IProgress<long>? progress = null, CancellationToken ct = default)
    {
        var iv = new byte[IvLength];
        RandomNumberGenerator.Fill(iv);
        return EncryptAsync(plaintext, output, key, iv, progress, ct);
    }

    /// <summary>
    /// Checks the MAC over all of <paramref name="encrypted"/> (seekable, read from position 0), then decrypts it into
    /// <paramref name="output"/>. Nothing is written unless the MAC matches. <paramref name="progress"/> gets the
    /// encrypted bytes read so far in each pass.
    /// </summary>
    /// <exception cref="CryptographicException">Not this layout, wrong key, or tampered bytes (nothing written).</exception>
    public static async Task DecryptAsync(Stream encrypted, Stream output, SymmetricKey key, IProgress<long>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(encrypted);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(key);
        if (!encrypted.CanSeek)
        {
            throw new ArgumentException("Decryption reads the file twice (MAC first): the stream must be seekable.", nameof(encrypted));
        }

        encrypted.Position = 0;
        var header = new byte[HeaderLength];
        var headerRead = await encrypted.ReadAtLeastAsync(header, HeaderLength, throwOnEndOfStream: false, ct);
        CheckLayout(encrypted.Length, headerRead > 0 ? header[0] : (byte)0);
        var iv = header.AsMemory(1, IvLength);
        var buffer = new byte[BufferLength];

        // Pass 1: authenticate every ciphertext byte.
        using (var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key.MacKey))
        {
            hmac.AppendData(iv.Span);
            long done = HeaderLength;
            int read;
            while ((read = await encrypted.ReadAsync(buffer, ct)) > 0)
            {
                hmac.AppendData(buffer.AsSpan(0, read));
                done += read;
                progress?.Report(done);
            }

            CheckMac(hmac, header.AsSpan(1 + IvLength, MacLength));
        }

        // Pass 2: the bytes are authentic; decrypt them. A file that changes between the passes is the caller's own
        // temporary file, written by nobody else.
        encrypted.Position = HeaderLength;
        using var aes = EncStringCrypto.CreateAes(key);
        aes.IV = iv.ToArray();
        using var decryptor = aes.CreateDecryptor();
        await using var plaintext = new CryptoStream(encrypted, decryptor, CryptoStreamMode.Read, leaveOpen: true);
        long total = HeaderLength;
        int chunk;
        while ((chunk = await plaintext.ReadAsync(buffer, ct)) > 0)
        {
            await output.WriteAsync(buffer.AsMemory(0, chunk), ct);
            total += chunk;
            progress?.Report(Math.Min(total, encrypted.Length));
        }

        progress?.Report(encrypted.Length);
    }

    /// <summary>Encrypts with a caller-chosen IV; only for known-answer tests, since an IV must never repeat.</summary>
    internal static byte[] EncryptWithIv(ReadOnlySpan<byte> plaintext, SymmetricKey key, ReadOnlySpan<byte> iv)
    {
        ArgumentNullException.ThrowIfNull(key);
        byte[] ciphertext;
        using (var aes = EncStringCrypto.CreateAes(key))
        {
            ciphertext = aes.EncryptCbc(plaintext, iv, PaddingMode.PKCS7);
        }

        var result = new byte[HeaderLength + ciphertext.Length];
        result[0] = AesCbc256HmacSha256;
        iv.CopyTo(result.AsSpan(1));
        using (var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key.MacKey))
        {
            hmac.AppendData(iv);
            hmac.AppendData(ciphertext);
            hmac.GetHashAndReset(result.AsSpan(1 + IvLength, MacLength));
        }

        ciphertext.CopyTo(result.AsSpan(HeaderLength));
        return result;
    }

    /// <summary>The streaming form of <see cref="EncryptWithIv"/>; <see cref="EncryptAsync(Stream, Stream, SymmetricKey, IProgress{long}?, CancellationToken)"/> picks the IV.</summary>
    internal static async Task<long> EncryptAsync(Stream plaintext, Stream output, SymmetricKey key, byte[] iv, IProgress<long>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(key);
        if (!output.CanSeek)
        {
            throw new ArgumentException("The MAC precedes the ciphertext: the output stream must be seekable.", nameof(output));
        }

        var start = output.Position;
        var header = new byte[HeaderLength];
        header[0] = AesCbc256HmacSha256;
        iv.CopyTo(header, 1);
        await output.WriteAsync(header, ct);

        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key.MacKey);
        hmac.AppendData(iv);
        using var aes = EncStringCrypto.CreateAes(key);
        aes.IV = iv;
        using var encryptor = aes.CreateEncryptor();
        await using var ciphertext = new CryptoStream(plaintext, encryptor, CryptoStreamMode.Read, leaveOpen: true);
        var buffer = new byte[BufferLength];
        long plaintextRead = 0;
        int read;
        while ((read = await ciphertext.ReadAsync(buffer, ct)) > 0)
        {
            hmac.AppendData(buffer.AsSpan(0, read));
            await output.WriteAsync(buffer.AsMemory(0, read), ct);
            plaintextRead += read;
            progress?.Report(plaintextRead);
        }

        var end = output.Position;
        hmac.GetHashAndReset(header.AsSpan(1 + IvLength, MacLength));
        output.Position = start + 1 + IvLength;
        await output.WriteAsync(header.AsMemory(1 + IvLength, MacLength), ct);
        output.Position = end;
        await output.FlushAsync(ct);
        return end - start;
    }

    private static void CheckLayout(long length, byte type)
    {
        if (type != AesCbc256HmacSha256 || length < HeaderLength + BlockLength || (length - HeaderLength) % BlockLength != 0)
        {
            throw new CryptographicException("Not an encrypted file: expected type 2 (AES-256-CBC + HMAC-SHA256), a 49-byte header and whole 16-byte blocks.");
        }
    }

    private static void CheckMac(IncrementalHash hmac, ReadOnlySpan<byte> expected)
    {
        Span<byte> actual = stackalloc byte[MacLength];
        hmac.GetHashAndReset(actual);
        if (!CryptographicOperations.FixedTimeEquals(actual, expected))
        {
            throw new CryptographicException("The file's MAC does not match: wrong key, or the file was altered.");
        }
    }
}
