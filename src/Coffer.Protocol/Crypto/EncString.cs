using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Coffer.Protocol.Crypto;

/// <summary>
/// A Bitwarden encrypted string, <c>&lt;type&gt;.&lt;b64&gt;|&lt;b64&gt;…</c> (protocol §2.3).
/// Coffer encrypts and decrypts only type 2 (AES-256-CBC, PKCS#7, HMAC-SHA256 over <c>iv || ct</c>);
/// the other types are parsed so that the server can validate what clients store.
/// </summary>
public sealed class EncString
{
    private const int IvLength = 16;
    private const int MacLength = 32;
    private const int AesBlockLength = 16;

    private readonly string _text;

    private EncString(EncryptionType type, byte[] iv, byte[] data, byte[] mac)
    {
        Type = type;
        Iv = iv;
        Data = data;
        Mac = mac;
        _text = Format(type, iv, data, mac);
    }

    public EncryptionType Type { get; }

    /// <summary>The 16-byte IV of types 0 and 2; empty for the others.</summary>
    public ReadOnlyMemory<byte> Iv { get; }

    /// <summary>The ciphertext (for type 7, the whole COSE_Encrypt0 object).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The 32-byte HMAC-SHA256 of type 2 (and the MAC part of types 5 and 6); empty for the others.</summary>
    public ReadOnlyMemory<byte> Mac { get; }

    /// <summary>
    /// Strict syntax check, suitable for validating client input. Accepts <c>&lt;type&gt;.&lt;parts&gt;</c> where
    /// type is one of <see cref="EncryptionType"/> and every part is non-empty, canonical, padded standard Base64:
    /// type 2 <c>iv|ct|mac</c> (16-byte IV, ciphertext a non-zero multiple of 16 bytes, 32-byte MAC);
    /// type 0 <c>iv|ct</c>; types 3, 4 and 7 one part; types 5 and 6 <c>ct|mac</c>.
    /// No whitespace is allowed anywhere. Never throws.
    /// </summary>
    public static bool TryParse(string? value, [NotNullWhen(true)] out EncString? result)
    {
        result = null;
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        // Exactly one digit before the dot: "02." or "+2." are not what any client writes.
        if (value.Length < 2 || value[1] != '.' || !char.IsAsciiDigit(value[0]))
        {
            return false;
        }

        var type = (EncryptionType)(value[0] - '0');
        var expectedParts = type switch
        {
            EncryptionType.AesCbc256_B64 => 2,
            EncryptionType.AesCbc256_HmacSha256_B64 => 3,
            EncryptionType.Rsa2048_OaepSha256_B64 or EncryptionType.Rsa2048_OaepSha1_B64 or EncryptionType.CoseEncrypt0 => 1,
            EncryptionType.Rsa2048_OaepSha256_HmacSha256_B64 or EncryptionType.Rsa2048_OaepSha1_HmacSha256_B64 => 2,
            _ => 0,
        };
        if (expectedParts == 0)
        {
            return false;
        }

        var parts = value[2..].Split('|');
        if (parts.Length != expectedParts)
        {
            return false;
        }

        var decoded = new byte[parts.Length][];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!TryDecodeCanonicalBase64(parts[i], out var bytes))
            {
                return false;
            }

            decoded[i] = bytes;
        }

        byte[] iv = [], data, mac = [];
        switch (type)
        {
            case EncryptionType.AesCbc256_B64:
            case EncryptionType.AesCbc256_HmacSha256_B64:
                iv = decoded[0];
                data = decoded[1];
                if (iv.Length != IvLength || data.Length % AesBlockLength != 0)
                {
                    return false;
                }

                if (type == EncryptionType.AesCbc256_HmacSha256_B64)
                {
                    mac = decoded[2];
                    if (mac.Length != MacLength)
                    {
                        return false;
                    }
                }

                break;
            case EncryptionType.Rsa2048_OaepSha256_HmacSha256_B64:
            case EncryptionType.Rsa2048_OaepSha1_HmacSha256_B64:
                data = decoded[0];
                mac = decoded[1];
                break;
            default:
                data = decoded[0];
                break;
        }

        result = new EncString(type, iv, data, mac);
        return true;
    }

    /// <summary>Parses like <see cref="TryParse"/>.</summary>
    /// <exception cref="FormatException"><paramref name="value"/> is not a well-formed EncString.</exception>
    public static EncString Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);

        // The message deliberately does not echo the value: EncStrings are user data.
        return TryParse(value, out var result)
            ? result
            : throw new FormatException(
                "Not a valid EncString: expected \"<type>.<base64>|…\" with a known type and that type's parts " +
                "(type 2: 16-byte IV | ciphertext, a multiple of 16 bytes | 32-byte MAC), in padded standard Base64.");
    }

    /// <summary>
    /// A type 2 EncString from its parts: the 16-byte IV, the AES-256-CBC ciphertext (a non-zero multiple of 16
    /// bytes) and the 32-byte HMAC-SHA256 over <c>iv || ct</c>. The client's encryption
    /// (<c>Coffer.Client.Crypto.EncStringCrypto</c>) builds its results with it.
    /// </summary>
    /// <exception cref="ArgumentException">A part has the wrong length.</exception>
    public static EncString FromAesCbcHmacParts(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> mac)
    {
        if (iv.Length != IvLength || mac.Length != MacLength || ciphertext.IsEmpty || ciphertext.Length % AesBlockLength != 0)
        {
            throw new ArgumentException(
                $"A type 2 EncString has a {IvLength}-byte IV, a ciphertext of whole {AesBlockLength}-byte blocks and a {MacLength}-byte MAC.");
        }

        return new EncString(EncryptionType.AesCbc256_HmacSha256_B64, iv.ToArray(), ciphertext.ToArray(), mac.ToArray());
    }

    /// <summary>The canonical serialized form, e.g. <c>2.iv|ct|mac</c>.</summary>
    public override string ToString() => _text;

    // Convert.TryFromBase64String tolerates whitespace and non-zero padding bits; re-encoding and comparing
    // accepts exactly one spelling per byte string, so a stored EncString is always its canonical form.
    private static bool TryDecodeCanonicalBase64(string part, out byte[] bytes)
    {
        bytes = [];
        if (part.Length == 0 || part.Length % 4 != 0)
        {
            return false;
        }

        var buffer = new byte[part.Length / 4 * 3];
        if (!Convert.TryFromBase64String(part, buffer, out var written))
        {
            return false;
        }

        var candidate = buffer[..written];
        if (!string.Equals(Convert.ToBase64String(candidate), part, StringComparison.Ordinal))
        {
            return false;
        }

        bytes = candidate;
        return true;
    }

    private static string Format(EncryptionType type, byte[] iv, byte[] data, byte[] mac)
    {
        var builder = new StringBuilder();
        builder.Append((int)type).Append('.');
        if (iv.Length > 0)
        {
            builder.Append(Convert.ToBase64String(iv)).Append('|');
        }

        builder.Append(Convert.ToBase64String(data));
        if (mac.Length > 0)
        {
            builder.Append('|').Append(Convert.ToBase64String(mac));
        }

        return builder.ToString();
    }
}
