using System.Security.Cryptography;

namespace Coffer.Client.Crypto;

/// <summary>
/// A V1 Bitwarden symmetric key (AES-256-CBC + HMAC-SHA256): 64 bytes, <c>encKey</c> (bytes 0..31) followed by
/// <c>macKey</c> (bytes 32..63), protocol §2.2. Used for the user key and for the stretched master key.
/// The bytes are zeroed on <see cref="Dispose"/>; any use after that throws <see cref="ObjectDisposedException"/>.
/// </summary>
public sealed class SymmetricKey : IDisposable
{
    internal const int Length = 64;
    private const int HalfLength = 32;

    // Deterministic CBOR of the COSE key map {1 (kty): 4 (Symmetric), -1 (k): bstr(64)} up to the key bytes,
    // hashed for the RFC 9679 thumbprint that the SDK uses as the key id (protocol §2.4, symmetric_crypto_key.rs).
    private static ReadOnlySpan<byte> CoseKeyPrefix => [0xA2, 0x01, 0x04, 0x20, 0x58, 0x40];

    // Pinned so the garbage collector never leaves a moved copy of the key behind that Dispose cannot zero.
    private readonly byte[] _key = GC.AllocateUninitializedArray<byte>(Length, pinned: true);
    private bool _disposed;

    /// <summary>Copies a 64-byte key.</summary>
    /// <exception cref="ArgumentException"><paramref name="key"/> is not exactly 64 bytes.</exception>
    public SymmetricKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != Length)
        {
            throw new ArgumentException($"A symmetric key is {Length} bytes (encKey || macKey); got {key.Length}.", nameof(key));
        }

        key.CopyTo(_key);
    }

    private SymmetricKey()
    {
    }

    /// <summary>A fresh random key from <see cref="RandomNumberGenerator"/>.</summary>
    public static SymmetricKey Generate()
    {
        var key = new SymmetricKey();
        RandomNumberGenerator.Fill(key._key);
        return key;
    }

    /// <summary>The AES-256 key: bytes 0..31.</summary>
    public ReadOnlySpan<byte> EncKey
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _key.AsSpan(0, HalfLength);
        }
    }

    /// <summary>The HMAC-SHA256 key: bytes 32..63.</summary>
    public ReadOnlySpan<byte> MacKey
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _key.AsSpan(HalfLength, HalfLength);
        }
    }

    /// <summary>
    /// The derived 16-byte key id as 32 lowercase hex characters:
    /// <c>hex(SHA-256(A2 01 04 20 58 40 || key))[0..32]</c> (protocol §2.4).
    /// </summary>
    public string KeyId
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Span<byte> input = stackalloc byte[CoseKeyPrefix.Length + Length];
            CoseKeyPrefix.CopyTo(input);
            _key.CopyTo(input[CoseKeyPrefix.Length..]);
            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(input, digest);
            CryptographicOperations.ZeroMemory(input);
            return Convert.ToHexStringLower(digest[..16]);
        }
    }

    /// <summary>A copy of the 64 key bytes; the caller owns (and should zero) it.</summary>
    public byte[] ToArray()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return (byte[])_key.Clone();
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_key);
        _disposed = true;
    }
}
