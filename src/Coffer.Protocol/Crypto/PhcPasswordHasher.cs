using System.Globalization;
using System.Security.Cryptography;

namespace Coffer.Protocol.Crypto;

/// <summary>
/// Hashes the master password hash a client sends before the server stores it, so that a leaked database does
/// not hand out login credentials (protocol §2.2, "How the server should store the login hash").
/// Output is a PHC string (https://github.com/P-H-C/phc-string-format), so parameters can be raised later and
/// old hashes upgraded at the next successful login.
/// </summary>
public static class PhcPasswordHasher
{
    private const int SaltLength = 16;
    private const int HashLength = 32;

    // Bounds for stored strings; Argon2 itself needs at least 8 bytes of salt and 4 of output.
    private const int MinSaltLength = 8;
    private const int MaxSaltLength = 64;
    private const int MinHashLength = 16;
    private const int MaxHashLength = 64;
    private const int Argon2Version = 0x13;

    /// <summary>
    /// Hashes <paramref name="secret"/> with a fresh 16-byte random salt into a 32-byte tag:
    /// <c>$argon2id$v=19$m=19456,t=2,p=1$&lt;salt&gt;$&lt;hash&gt;</c> or
    /// <c>$pbkdf2-sha512$i=210000$&lt;salt&gt;$&lt;hash&gt;</c>, Base64 without padding (PHC B64).
    /// </summary>
    /// <exception cref="ArgumentException">Unknown algorithm or out-of-range parameters.</exception>
    public static string Hash(ReadOnlySpan<byte> secret, PhcParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(parameters));
        }

        var salt = RandomNumberGenerator.GetBytes(SaltLength);
        var hash = Compute(secret, parameters, salt, HashLength);
        return Format(parameters, salt, hash);
    }

    /// <summary>
    /// Checks <paramref name="secret"/> against a stored PHC string, comparing tags in constant time.
    /// Returns <see langword="false"/> for a wrong secret and for any malformed or out-of-range string (never throws
    /// for those). <paramref name="needsRehash"/> is <see langword="true"/> only when the secret matched and the stored
    /// algorithm, parameters, salt or tag length differ from <paramref name="current"/> and this hasher's output;
    /// the caller should then store <see cref="Hash"/> of the same secret.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> secret, string phc, PhcParameters current, out bool needsRehash)
    {
        ArgumentNullException.ThrowIfNull(current);
        needsRehash = false;
        if (!TryParse(phc, out var stored, out var salt, out var expected))
        {
            return false;
        }

        byte[] actual;
        try
        {
            actual = Compute(secret, stored, salt, expected.Length);
        }
        catch (CryptographicException)
        {
            // The library refused parameters that passed our bounds (for example, memory it could not allocate).
            return false;
        }

        if (!CryptographicOperations.FixedTimeEquals(actual, expected))
        {
            return false;
        }

        needsRehash = stored != current || salt.Length != SaltLength || expected.Length != HashLength;
        return true;
    }

    private static byte[] Compute(ReadOnlySpan<byte> secret, PhcParameters parameters, byte[] salt, int length) =>
        parameters.Algorithm == PhcParameters.Argon2idName
            ? Argon2.HashArgon2id(secret, salt, parameters.Iterations, parameters.MemoryKiB, parameters.Parallelism, length)
            : Rfc2898DeriveBytes.Pbkdf2(secret, salt, parameters.Iterations, HashAlgorithmName.SHA512, length);

    private static string Format(PhcParameters parameters, byte[] salt, byte[] hash) =>
        parameters.Algorithm == PhcParameters.Argon2idName
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"$argon2id$v={Argon2Version}$m={parameters.MemoryKiB},t={parameters.Iterations},p={parameters.Parallelism}${EncodeB64(salt)}${EncodeB64(hash)}")
            : string.Create(
                CultureInfo.InvariantCulture,
                $"$pbkdf2-sha512$i={parameters.Iterations}${EncodeB64(salt)}${EncodeB64(hash)}");

    private static bool TryParse(string? phc, out PhcParameters parameters, out byte[] salt, out byte[] hash)
    {
        parameters = PhcParameters.DefaultArgon2id;
        salt = hash = [];
        if (string.IsNullOrEmpty(phc) || phc[0] != '$')
        {
            return false;
        }

        var fields = phc[1..].Split('$');
        string saltText, hashText;
        if (fields is [PhcParameters.Argon2idName, var version, var costs, var s, var h])
        {
            var costFields = costs.Split(',');
            if (version != "v=19"
                || costFields is not [var m, var t, var p]
                || !TryParseParameter(m, "m=", out var memory)
                || !TryParseParameter(t, "t=", out var iterations)
                || !TryParseParameter(p, "p=", out var parallelism))
            {
                return false;
            }

            parameters = new PhcParameters(PhcParameters.Argon2idName, iterations, memory, parallelism);
            (saltText, hashText) = (s, h);
        }
        else if (fields is [PhcParameters.Pbkdf2Sha512Name, var i, var s2, var h2]
            && TryParseParameter(i, "i=", out var pbkdf2Iterations))
        {
            parameters = new PhcParameters(PhcParameters.Pbkdf2Sha512Name, pbkdf2Iterations, 0, 0);
            (saltText, hashText) = (s2, h2);
        }
        else
        {
            return false;
        }

        return parameters.Validate() is null
            && TryDecodeB64(saltText, out salt) && salt.Length is >= MinSaltLength and <= MaxSaltLength
            && TryDecodeB64(hashText, out hash) && hash.Length is >= MinHashLength and <= MaxHashLength;
    }

    // Decimal without sign or leading zeros, so each value has exactly one spelling.
    private static bool TryParseParameter(string field, string prefix, out int value)
    {
        value = 0;
        if (!field.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var digits = field.AsSpan(prefix.Length);
        return digits.Length is > 0 and <= 9
            && (digits[0] != '0' || digits.Length == 1)
            && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    // PHC "B64" is standard Base64 without '=' padding.
    private static string EncodeB64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static bool TryDecodeB64(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length == 0 || text.Length % 4 == 1 || text.Contains('=', StringComparison.Ordinal))
        {
            return false;
        }

        var padded = text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
        var buffer = new byte[padded.Length / 4 * 3];
        if (!Convert.TryFromBase64String(padded, buffer, out var written))
        {
            return false;
        }

        var candidate = buffer[..written];

        // Re-encoding rejects whitespace and non-zero trailing bits that the decoder would silently accept.
        if (!string.Equals(EncodeB64(candidate), text, StringComparison.Ordinal))
        {
            return false;
        }

        bytes = candidate;
        return true;
    }
}
