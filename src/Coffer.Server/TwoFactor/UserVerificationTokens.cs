using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Coffer.Protocol.Crypto;
using Coffer.Server.Identity;
using Microsoft.IdentityModel.Tokens;

namespace Coffer.Server.TwoFactor;

/// <summary>
/// The <c>userVerificationToken</c> of the <c>get-*</c> two-factor reads (account doc §2.3): proof, for 30 minutes,
/// that this user re-entered the master password, so the following PUT or DELETE needs no password. Upstream binds
/// its data-protected token to user id + TOTP key (<c>get-authenticator</c>) or user id + provider type (the other
/// providers); this one is <c>base64url(payload) "." base64url(HMAC-SHA-256(k, payload))</c> with payload
/// <c>v1|userId|expiry (Unix s)|base64url(SHA-256(binding))</c>, the binding being the TOTP key's bytes or
/// <c>"provider N"</c>, where k is derived from the server's signing key with HKDF (RFC 5869) under its own label,
/// so it can never be confused with an access token. A 20-byte random TOTP key never equals a provider binding.
/// </summary>
public sealed class UserVerificationTokens(TokenService tokens, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);

    private const string Version = "v1";
    private readonly byte[] key = HKDF.DeriveKey(
        HashAlgorithmName.SHA256, tokens.SigningKey, 32, salt: [], info: Encoding.UTF8.GetBytes("coffer two-factor authenticator user verification"));

    /// <summary>A token for the e-mail (1) or security-key (7) routes, bound to the user and the provider type.</summary>
    public string CreateForProvider(Guid userId, int providerType) => Create(userId, ProviderBinding(providerType));

    /// <summary>True only for an untampered, unexpired token minted by <see cref="CreateForProvider"/> for this user and provider.</summary>
    public bool IsValidForProvider(string? token, Guid userId, int providerType) => IsValid(token, userId, ProviderBinding(providerType));

    public string Create(Guid userId, ReadOnlySpan<byte> totpSecret)
    {
        var expires = time.GetUtcNow().Add(Lifetime).ToUnixTimeSeconds();
        var payload = Encoding.UTF8.GetBytes(string.Join('|', Version, userId.ToString("N"), expires.ToString(CultureInfo.InvariantCulture), KeyDigest(totpSecret)));
        return Base64UrlEncoder.Encode(payload) + "." + Base64UrlEncoder.Encode(HMACSHA256.HashData(key, payload));
    }

    /// <summary>True only for an untampered, unexpired token minted for <paramref name="userId"/> and this exact key.</summary>
    public bool IsValid(string? token, Guid userId, string? base32Key) =>
        Base32.TryDecode(base32Key, out var secret) && IsValid(token, userId, secret);

    private bool IsValid(string? token, Guid userId, byte[] secret)
    {
        if (token is not { Length: > 0 and <= 512 })
        {
            return false;
        }

        var parts = token.Split('.');
        byte[] payload;
        byte[] mac;
        try
        {
            if (parts.Length != 2)
            {
                return false;
            }

            payload = Base64UrlEncoder.DecodeBytes(parts[0]);
            mac = Base64UrlEncoder.DecodeBytes(parts[1]);
        }
        catch (FormatException)
        {
            return false;
        }

        // The MAC first, in constant time: nothing in an unauthenticated payload is looked at.
        if (!CryptographicOperations.FixedTimeEquals(mac, HMACSHA256.HashData(key, payload)))
        {
            return false;
        }

        var fields = Encoding.UTF8.GetString(payload).Split('|');
        return fields.Length == 4
            && fields[0] == Version
            && fields[1] == userId.ToString("N")
            && long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            && expires > time.GetUtcNow().ToUnixTimeSeconds()
            && fields[3] == KeyDigest(secret);
    }

    private static byte[] ProviderBinding(int providerType) => Encoding.UTF8.GetBytes("provider " + providerType.ToString(CultureInfo.InvariantCulture));

    private static string KeyDigest(ReadOnlySpan<byte> totpSecret) => Base64UrlEncoder.Encode(SHA256.HashData(totpSecret));
}
