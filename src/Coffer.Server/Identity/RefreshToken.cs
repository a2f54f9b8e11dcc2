namespace Coffer.Server.Identity;

/// <summary>
/// An opaque refresh token, stored only as its SHA-256 (the token itself has 256 random bits, so a fast hash
/// suffices). Single use: redeeming it marks it consumed and issues a new one; presenting a consumed token
/// again is treated as theft and revokes every token of that device (RFC 9700 §4.14.2, refresh token rotation).
/// </summary>
public sealed class RefreshToken
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public Guid DeviceId { get; set; }
    public required string TokenHash { get; set; }

    /// <summary>The user's security stamp when issued; a changed stamp revokes the token.</summary>
    public required string SecurityStamp { get; set; }

    public required string ClientId { get; set; }
    public DateTime CreationDate { get; set; }
    public DateTime ExpirationDate { get; set; }
    public DateTime? ConsumedDate { get; set; }
}
