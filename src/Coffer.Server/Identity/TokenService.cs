using System.Security.Claims;
using System.Security.Cryptography;
using Coffer.Server.Accounts;
using Coffer.Server.Devices;
using Coffer.Server.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Coffer.Server.Identity;

/// <summary>
/// Issues and validates access tokens: JWT (RFC 7519) signed HS256 with a key from configuration or the data
/// folder. Validation pins the algorithm (no <c>alg:none</c>, no key confusion) and checks issuer, audience,
/// lifetime and signature; the caller then checks the security stamp against the database.
/// </summary>
public sealed class TokenService
{
    public const string SecurityStampClaim = "sstamp";
    public const string DeviceClaim = "device";
    public const string ClientIdClaim = "client_id";

    private static readonly string[] Scopes = ["api", "offline_access"];
    private static readonly string[] Amr = ["Application"];
    private const string RegistrationAudienceSuffix = "|register";
    private const string AdminProofAudienceSuffix = "|admin";
    private readonly JsonWebTokenHandler handler = new() { SetDefaultTimesOnTokenCreation = false, MapInboundClaims = false };
    private readonly SigningCredentials credentials;
    private readonly TokenValidationParameters accessValidation;
    private readonly TokenValidationParameters registrationValidation;
    private readonly TokenValidationParameters adminProofValidation;
    private readonly ServerOptions options;
    private readonly TimeProvider time;

    public TokenService(IOptions<ServerOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options.Value;
        this.time = time;
        var keyBytes = this.options.JwtSigningKey is { } configured
            ? Convert.FromBase64String(configured)
            : DataFolder.ReadOrCreateSecret(this.options.DataFolder, "jwt-signing.key", 64);
        SigningKey = keyBytes;
        var key = new SymmetricSecurityKey(keyBytes);
        credentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256);
        accessValidation = Validation(key, this.options.Issuer);
        registrationValidation = Validation(key, this.options.Issuer + RegistrationAudienceSuffix);
        adminProofValidation = Validation(key, this.options.Issuer + AdminProofAudienceSuffix);
    }

    /// <summary>The raw signing key; other server secrets are derived from it with HKDF so one file holds them all.</summary>
    internal byte[] SigningKey { get; }

    public TimeSpan AccessTokenLifetime => TimeSpan.FromMinutes(options.AccessTokenMinutes);

    public int RefreshTokenDays => options.RefreshTokenDays;

    public string CreateAccessToken(User user, Device device, string clientId)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(device);
        var now = time.GetUtcNow().UtcDateTime;
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Issuer,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + AccessTokenLifetime,
            SigningCredentials = credentials,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = user.Id.ToString(),
                [JwtRegisteredClaimNames.Email] = user.Email,
                ["email_verified"] = true,
                ["name"] = user.Name ?? "",
                ["premium"] = true,
                [SecurityStampClaim] = user.SecurityStamp,
                [DeviceClaim] = device.Id.ToString(),
                ["devicetype"] = device.Type.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [ClientIdClaim] = clientId,
                ["scope"] = Scopes,
                ["amr"] = Amr,
            },
        });
    }

    /// <summary>Validates signature, algorithm, issuer, audience and lifetime. Returns null when any check fails.</summary>
    public async Task<ClaimsIdentity?> ValidateAccessTokenAsync(string token)
    {
        var result = await handler.ValidateTokenAsync(token, accessValidation);
        return result.IsValid ? result.ClaimsIdentity : null;
    }

    /// <summary>
    /// The registration token of <c>send-verification-email</c> (protocol §5.1): proves the e-mail for
    /// <paramref name="lifetime"/> (default 30 minutes; a mailed one lives <c>Coffer:Registration:VerificationHours</c>).
    /// </summary>
    public string CreateRegistrationToken(string email, string? name, TimeSpan? lifetime = null) =>
        CreatePurposeToken(
            RegistrationAudienceSuffix,
            time.GetUtcNow().UtcDateTime + (lifetime ?? TimeSpan.FromMinutes(30)),
            new Dictionary<string, object> { [JwtRegisteredClaimNames.Sub] = email, ["name"] = name ?? "" });

    /// <summary>Returns the e-mail a registration token was issued for, or null if it is invalid or expired.</summary>
    public async Task<string?> ValidateRegistrationTokenAsync(string token)
    {
        var result = await handler.ValidateTokenAsync(token, registrationValidation);
        return result.IsValid ? result.ClaimsIdentity.FindFirst(JwtRegisteredClaimNames.Sub)?.Value : null;
    }

    /// <summary>
    /// An admin proof (see <see cref="Admin.AdminProof"/>): a JWT under its own audience (<c>iss|admin</c>), so it is
    /// never accepted as an access token nor an access token as a proof. <paramref name="claims"/> bind it.
    /// </summary>
    public string CreateAdminProof(IDictionary<string, object> claims, DateTime expires) =>
        CreatePurposeToken(AdminProofAudienceSuffix, expires, claims);

    /// <summary>The claims of a valid, unexpired admin proof; null when signature, audience or lifetime fail.</summary>
    public async Task<ClaimsIdentity?> ValidateAdminProofAsync(string token)
    {
        var result = await handler.ValidateTokenAsync(token, adminProofValidation);
        return result.IsValid ? result.ClaimsIdentity : null;
    }

    /// <summary>A JWT for one purpose other than access: its audience is the issuer plus <paramref name="audienceSuffix"/>.</summary>
    private string CreatePurposeToken(string audienceSuffix, DateTime expires, IDictionary<string, object> claims)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Issuer + audienceSuffix,
            IssuedAt = now,
            NotBefore = now,
            Expires = expires,
            SigningCredentials = credentials,
            Claims = claims,
        });
    }

    /// <summary>A new opaque refresh token (256 random bits, Base64url) and the SHA-256 hex under which it is stored.</summary>
    public static (string Token, string Hash) NewRefreshToken()
    {
        var token = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        return (token, HashRefreshToken(token));
    }

    public static string HashRefreshToken(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));

    private TokenValidationParameters Validation(SecurityKey key, string audience) => new()
    {
        ValidIssuer = options.Issuer,
        ValidAudience = audience,
        IssuerSigningKey = key,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        ValidateIssuerSigningKey = true,
        ClockSkew = TimeSpan.FromSeconds(30),
        LifetimeValidator = (notBefore, expires, _, parameters) =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            return expires is { } exp && exp.ToUniversalTime() > now - parameters.ClockSkew
                && (notBefore is not { } nbf || nbf.ToUniversalTime() <= now + parameters.ClockSkew);
        },
    };
}
