namespace Coffer.Server.TwoFactor;

/// <summary>What an <see cref="EmailCode"/> proves.</summary>
public enum EmailCodePurpose
{
    /// <summary>Turning on two-step login by e-mail: the address can receive codes (<c>PUT /api/two-factor/email</c>).</summary>
    Setup = 0,

    /// <summary>The second step of a password login with provider 1.</summary>
    LogIn = 1,
}

/// <summary>
/// A one-time code mailed to an account (table <c>email_codes</c>, issued and checked by <see cref="EmailCodes"/>):
/// only a keyed hash of it is stored, it expires, and it
/// accepts a bounded number of wrong guesses. One per account and purpose: a new code replaces the old.
/// </summary>
public sealed class EmailCode
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public EmailCodePurpose Purpose { get; set; }

    /// <summary>Setup: the address the code went to (which becomes the provider's address once proven).</summary>
    public string? Email { get; set; }

    /// <summary>HMAC-SHA-256 hex of the code (<see cref="EmailCodes"/>).</summary>
    public required string CodeHash { get; set; }

    public DateTime ExpirationDate { get; set; }

    /// <summary>Wrong codes tried against it; the code is void once they reach the limit.</summary>
    public int FailedAttempts { get; set; }
}
