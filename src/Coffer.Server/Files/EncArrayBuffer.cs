namespace Coffer.Server.Files;

/// <summary>
/// The cheap checks the server can make on an encrypted file (<c>bitwarden-sharing-features.md</c> §1.1): type byte
/// <c>0x02</c> (AES-256-CBC + HMAC-SHA256), then a 16-byte IV, a 32-byte MAC and whole 16-byte ciphertext blocks, at least
/// one. Clients refuse anything else, so refusing it at upload keeps garbage off the disk.
/// </summary>
public static class EncArrayBuffer
{
    public const byte AesCbc256HmacSha256 = 2;
    public const int MinimumLength = 1 + 16 + 32 + 16;

    /// <summary>True when a file of <paramref name="length"/> bytes starting with <paramref name="head"/> has the layout above.</summary>
    public static bool IsPlausible(long length, ReadOnlySpan<byte> head) =>
        length >= MinimumLength && (length - 49) % 16 == 0 && head.Length > 0 && head[0] == AesCbc256HmacSha256;
}
