using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace Coffer.Protocol.Crypto;

/// <summary>
/// Time-based one-time passwords as authenticator apps and Bitwarden compute them (protocol account doc §2.3,
/// §2.5): RFC 6238 TOTP over RFC 4226 HOTP with HMAC-SHA-1, a 30-second step counted from the Unix epoch,
/// 6 decimal digits, and a 20-byte secret written in Base32 (<see cref="Base32"/>).
/// </summary>
public static class Totp
{
    /// <summary>RFC 6238 §4.1 X, in seconds.</summary>
    public const int StepSeconds = 30;

    public const int Digits = 6;

    /// <summary>RFC 4226 §4 R6 recommends 160 bits, the HMAC-SHA-1 output size; Bitwarden requires exactly 20 bytes.</summary>
    public const int SecretBytes = 20;

    /// <summary>The time step (RFC 6238 T) that <paramref name="at"/> falls in.</summary>
    public static long TimeStep(DateTimeOffset at) => Math.DivRem(at.ToUnixTimeSeconds(), StepSeconds) switch
    {
        var (q, r) when r < 0 => q - 1,
        var (q, _) => q,
    };

    /// <summary>The code for <paramref name="at"/>, zero-padded to <paramref name="digits"/> digits.</summary>
    public static string Compute(ReadOnlySpan<byte> secret, DateTimeOffset at, int digits = Digits) =>
        Hotp(secret, TimeStep(at), digits);

    /// <summary>RFC 4226 §5.3: HMAC-SHA-1 over the big-endian counter, dynamic truncation, modulo 10^digits.</summary>
    public static string Hotp(ReadOnlySpan<byte> secret, long counter, int digits = Digits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(digits, 6);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(digits, 9);
        Span<byte> message = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(message, counter);
        Span<byte> mac = stackalloc byte[HMACSHA1.HashSizeInBytes];

        // SHA-1 is what RFC 6238 and every authenticator app use here; HMAC-SHA-1 has no known weakness as a PRF.
#pragma warning disable CA5350
        HMACSHA1.HashData(secret, message, mac);
#pragma warning restore CA5350
        var offset = mac[^1] & 0x0F;
        var binary = BinaryPrimitives.ReadInt32BigEndian(mac[offset..]) & 0x7FFF_FFFF;
        var modulus = (int)Math.Pow(10, digits);
        return (binary % modulus).ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0');
    }

    /// <summary>
    /// Checks <paramref name="code"/> against the steps within <paramref name="window"/> of <paramref name="at"/>
    /// (RFC 6238 §5.2 allows for clock drift and typing time) that are later than <paramref name="lastUsedStep"/>,
    /// so a code that was already accepted can never be replayed (RFC 6238 §5.2, "MUST NOT accept the second attempt").
    /// Returns the matching step, or null. Every candidate is compared in constant time.
    /// </summary>
    public static long? Verify(ReadOnlySpan<byte> secret, string? code, DateTimeOffset at, long lastUsedStep = long.MinValue, int window = 1)
    {
        if (code is not { Length: Digits } || !code.All(char.IsAsciiDigit))
        {
            return null;
        }

        var now = TimeStep(at);
        long? matched = null;
        for (var step = now - window; step <= now + window; step++)
        {
            var expected = Hotp(secret, step);
            if (CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(expected), System.Text.Encoding.ASCII.GetBytes(code))
                && step > lastUsedStep && matched is null)
            {
                matched = step;
            }
        }

        return matched;
    }

    /// <summary>A fresh random 20-byte secret.</summary>
    public static byte[] NewSecret() => RandomNumberGenerator.GetBytes(SecretBytes);

    /// <summary>
    /// The Key URI that authenticator apps scan (Google Authenticator's <c>otpauth://</c> format, which the
    /// Bitwarden web vault also builds): <c>otpauth://totp/ISSUER:ACCOUNT?secret=KEY&amp;issuer=ISSUER</c>.
    /// </summary>
    public static string OtpAuthUri(string issuer, string account, string base32Secret) =>
        $"otpauth://totp/{Uri.EscapeDataString(issuer)}:{Uri.EscapeDataString(account)}?secret={base32Secret}&issuer={Uri.EscapeDataString(issuer)}";
}
