using System.Security.Cryptography;
using System.Text;
using Coffer.Protocol.Crypto;

namespace Coffer.Server.TwoFactor;

/// <summary>
/// Two-factor recovery codes (account doc §2.4): Base32 of 20 random bytes (160 bits, Vaultwarden's format),
/// stored only as SHA-256 of the normalized code. A fast hash is enough at that entropy, and it means a copy of
/// the database cannot be used to switch off anyone's second factor. The price: the server cannot show a code
/// twice, so reading the code (<c>get-recover</c>) issues a new one and the previous one stops working.
/// </summary>
public static class RecoveryCodes
{
    public static string New() => Base32.Encode(RandomNumberGenerator.GetBytes(20));

    /// <summary>Upstream's normalization: whitespace removed, lower case; clients already send it so.</summary>
    public static string Hash(string code)
    {
        var normalized = new string([.. code.Where(c => !char.IsWhiteSpace(c))]).ToLowerInvariant();
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)));
    }

    /// <summary>Compares in constant time; false when no code was ever issued.</summary>
    public static bool Matches(string? presented, string? storedHash) =>
        presented is { Length: > 0 and <= 128 } && storedHash is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(presented)), Encoding.ASCII.GetBytes(storedHash));
}
