using System.Globalization;
using Coffer.Protocol.Crypto;

namespace Coffer.Client.Vault;

/// <summary>The current one-time code of a login: <see cref="Code"/>, valid for <see cref="SecondsLeft"/> more seconds of a <see cref="Period"/>-second step.</summary>
public sealed record TotpCode(string Code, int SecondsLeft, int Period);

/// <summary>
/// Codes for a login's <c>totp</c> field, which Bitwarden stores as either a Base32 secret or a Key URI
/// (<c>otpauth://totp/LABEL?secret=…&amp;digits=…&amp;period=…</c>, Google Authenticator's format). Computed with
/// <see cref="Totp"/> (RFC 6238 over RFC 4226, HMAC-SHA-1).
/// </summary>
/// <remarks>
/// Not supported, each with an error that says so: <c>algorithm=SHA256|SHA512</c> (rare; <see cref="Totp"/> is
/// HMAC-SHA-1 only) and Steam Guard's <c>steam://</c> secrets.
/// </remarks>
public static class ItemTotp
{
    /// <summary>The code at <paramref name="now"/>.</summary>
    /// <exception cref="ArgumentException">The field is not a Base32 secret or a supported <c>otpauth://totp</c> URI.</exception>
    public static TotpCode Current(string totp, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(totp);
        var (secret, digits, period) = Parse(totp.Trim());
        var seconds = now.ToUnixTimeSeconds();
        var step = (long)Math.Floor(seconds / (double)period);
        return new TotpCode(Totp.Hotp(secret, step, digits), (int)(period - (seconds - (step * period))), period);
    }

    private static (byte[] Secret, int Digits, int Period) Parse(string totp)
    {
        if (totp.StartsWith("steam://", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException("Steam Guard codes (steam://) are not supported.");
        }

        if (!totp.StartsWith("otpauth://", StringComparison.OrdinalIgnoreCase))
        {
            return (Secret(totp), Totp.Digits, Totp.StepSeconds);
        }

        if (!Uri.TryCreate(totp, UriKind.Absolute, out var uri) || !string.Equals(uri.Host, "totp", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException("The TOTP field is an otpauth:// URI but not an otpauth://totp/ one.");
        }

        var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
        if (query["algorithm"] is { } algorithm && !string.Equals(algorithm, "SHA1", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"TOTP algorithm {algorithm} is not supported; only SHA1.");
        }

        var digits = Number(query["digits"], Totp.Digits, 6, 9, "digits");
        var period = Number(query["period"], Totp.StepSeconds, 1, 3600, "period");
        return (Secret(query["secret"] ?? ""), digits, period);
    }

    private static byte[] Secret(string base32) =>
        Base32.TryDecode(base32, out var secret) && secret.Length > 0
            ? secret
            : throw new ArgumentException("The TOTP field is neither a Base32 secret nor an otpauth://totp/ URI with one.");

    private static int Number(string? text, int fallback, int min, int max, string name)
    {
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"The TOTP {name} must be between {min} and {max}.");
    }
}
