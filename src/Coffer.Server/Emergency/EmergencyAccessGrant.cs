namespace Coffer.Server.Emergency;

/// <summary>What the grantee may do once access is approved (<c>bitwarden-sharing-features.md</c> §4.2).</summary>
public enum EmergencyAccessType
{
    /// <summary>Read the grantor's items and attachments.</summary>
    View = 0,

    /// <summary>Set a new master password for the grantor's account.</summary>
    Takeover = 1,
}

/// <summary>Where a grant is in the state machine of §4.3.</summary>
public enum EmergencyAccessStatus
{
    Invited = 0,
    Accepted = 1,
    Confirmed = 2,
    RecoveryInitiated = 3,
    RecoveryApproved = 4,
}

/// <summary>
/// One emergency access grant (table <c>emergency_access</c>, §4.2): the grantor (vault owner) lets the grantee read or
/// take over the vault after asking and waiting <see cref="WaitTimeDays"/> days, unless the grantor rejects first.
/// The server never holds a key in the clear: <see cref="KeyEncrypted"/> is the grantor's user key encrypted to the
/// grantee's public key by the grantor's client (§4.4).
/// </summary>
public sealed class EmergencyAccessGrant
{
    public Guid Id { get; set; }

    public Guid GrantorId { get; set; }

    /// <summary>The grantee's account, set when the invitation is accepted.</summary>
    public Guid? GranteeId { get; set; }

    /// <summary>The invited address, trimmed and lowercased.</summary>
    public required string Email { get; set; }

    /// <summary>The grantor's user key encrypted to the grantee's public key (an opaque EncString, type 4), set at confirm.</summary>
    public string? KeyEncrypted { get; set; }

    public EmergencyAccessType Type { get; set; }

    public EmergencyAccessStatus Status { get; set; }

    /// <summary>Days between the grantee's request and automatic approval (≥ 1).</summary>
    public int WaitTimeDays { get; set; }

    public DateTime? RecoveryInitiatedDate { get; set; }

    /// <summary>The last reminder mailed to the grantor about a pending request (at most one a day).</summary>
    public DateTime? LastNotificationDate { get; set; }

    public DateTime CreationDate { get; set; }

    public DateTime RevisionDate { get; set; }
}
