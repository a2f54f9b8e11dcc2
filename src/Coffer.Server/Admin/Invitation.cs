namespace Coffer.Server.Admin;

/// <summary>
/// An admin's invitation for one e-mail address, needed to sign up when registration is invite-only. Only the
/// SHA-256 of the token is stored (it has 256 random bits, so a fast hash suffices); the token is shown once.
/// </summary>
public sealed class Invitation
{
    public Guid Id { get; set; }

    /// <summary>Trimmed and lowercased, like <see cref="Accounts.User.Email"/>.</summary>
    public required string Email { get; set; }

    /// <summary>Lowercase hex SHA-256 of the token.</summary>
    public required string TokenHash { get; set; }

    public Guid? CreatedByUserId { get; set; }
    public DateTime CreationDate { get; set; }
    public DateTime ExpirationDate { get; set; }

    /// <summary>Set when a sign-up used it, in the same transaction that created the account.</summary>
    public DateTime? UsedDate { get; set; }
}
