using System.Security.Cryptography;
using Coffer.Server.Identity;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Coffer.Server.Files;

/// <summary>
/// Short-lived tokens that authorize exactly one thing (<c>bitwarden-sharing-features.md</c> §1.3, §3.8): a file
/// download URL's token (the client fetches it with no bearer token) and the Send access token of the
/// <c>send_access</c> grant. Each is an HS256 JWT (RFC 7519) under a key of its own, derived from the server's signing
/// key with HKDF (RFC 5869, info <c>coffer scoped tokens</c>), with audience <c>{issuer}|{purpose}</c>: it can never be
/// replayed as an access token, as another purpose's token, or for another subject, and an access token is never one
/// of these. Validation pins the algorithm and checks issuer, audience, expiry (no clock skew) and the subject.
/// </summary>
public sealed class ScopedTokens
{
    /// <summary>An attachment download: subject <c>{cipherId}/{attachmentId}</c>, bound to the user; 5 minutes.</summary>
    public const string AttachmentDownload = "attachment-download";

    /// <summary>A Send file download: subject <c>{sendId}/{fileId}</c>; 2 minutes.</summary>
    public const string SendDownload = "send-download";

    /// <summary>A Send access token (<c>grant_type=send_access</c>): subject the Send id; 2 minutes.</summary>
    public const string SendAccess = "send-access";

    /// <summary>The claim holding the user a token was issued to, when it is bound to one.</summary>
    public const string UserClaim = "uid";

    private readonly JsonWebTokenHandler handler = new() { SetDefaultTimesOnTokenCreation = false, MapInboundClaims = false };
    private readonly SymmetricSecurityKey key;
    private readonly SigningCredentials credentials;
    private readonly string issuer;
    private readonly TimeProvider time;

    public ScopedTokens(TokenService tokens, IOptions<ServerOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(options);
        key = new SymmetricSecurityKey(HKDF.DeriveKey(HashAlgorithmName.SHA256, tokens.SigningKey, 32, info: "coffer scoped tokens"u8.ToArray()));
        credentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256);
        issuer = options.Value.Issuer;
        this.time = time;
    }

    /// <summary>A token for <paramref name="purpose"/> and <paramref name="subject"/>, valid for <paramref name="lifetime"/>, optionally bound to <paramref name="userId"/>.</summary>
    public string Create(string purpose, string subject, TimeSpan lifetime, Guid? userId = null)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object> { [JwtRegisteredClaimNames.Sub] = subject };
        if (userId is { } user)
        {
            claims[UserClaim] = user.ToString("D");
        }

        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = $"{issuer}|{purpose}",
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = credentials,
            Claims = claims,
        });
    }

    /// <summary>
    /// The subject and bound user of a valid, unexpired <paramref name="token"/> for <paramref name="purpose"/>; null when
    /// it is missing, malformed, forged, expired or for another purpose.
    /// </summary>
    public async Task<(string Subject, Guid? UserId)?> ValidateAsync(string purpose, string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 4096)
        {
            return null;
        }

        var result = await handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = issuer,
            ValidAudience = $"{issuer}|{purpose}",
            IssuerSigningKey = key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.Zero,
            LifetimeValidator = (notBefore, expires, _, _) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                return expires is { } exp && exp.ToUniversalTime() > now && (notBefore is not { } nbf || nbf.ToUniversalTime() <= now.AddSeconds(1));
            },
        });
        if (!result.IsValid || result.ClaimsIdentity.FindFirst(JwtRegisteredClaimNames.Sub)?.Value is not { } subject)
        {
            return null;
        }

        var user = Guid.TryParse(result.ClaimsIdentity.FindFirst(UserClaim)?.Value, out var id) ? id : (Guid?)null;
        return (subject, user);
    }
}
