namespace Coffer.Server.Accounts;

/// <summary>
/// A pending e-mail change (account doc §3.4): at most one per user, started by <c>email-token</c> and consumed
/// by <c>email</c>. The token is kept only as its SHA-256 (hex); step 2 checks it when mail is on
/// (see <see cref="EmailChangeEndpoints"/>).
/// </summary>
public sealed class EmailChange
{
    public Guid UserId { get; set; }

    /// <summary>Trimmed and lowercased, like <see cref="User.Email"/>.</summary>
    public required string NewEmail { get; set; }

    public required string TokenHash { get; set; }
    public DateTime ExpirationDate { get; set; }
}
