namespace Coffer.Server.TwoFactor;

/// <summary>
/// A "remember this device" token (account doc §2.5): after a 2FA login with <c>twoFactorRemember=1</c>, the
/// client's next password grant from the same device may send it as provider 5 instead of a code. Stored only as
/// SHA-256 (256 random bits need no slow hash), for one device, for 30 days, under the security stamp of its
/// issue: a stamp change (password change, "deauthorize sessions") revokes it, any 2FA change deletes it, and
/// removing the device deletes it with the row.
/// </summary>
public sealed class TwoFactorRememberToken
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public Guid DeviceId { get; set; }
    public required string TokenHash { get; set; }
    public required string SecurityStamp { get; set; }
    public DateTime CreationDate { get; set; }
    public DateTime ExpirationDate { get; set; }
}
